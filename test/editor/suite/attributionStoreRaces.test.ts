import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AttributedSpan, EditAuthor } from '../../../src/core/attribution';
import { AttributionService } from '../../../src/host/attributionService';
import type { RepositoryRegistry } from '../../../src/host/repositoryRegistry';
import type { TextPieces } from '../../../src/git/textPieces';
import { openScratch, textOf, waitFor } from './helpers';

/** A promise the test settles by hand: the store's answer arrives exactly when the test says. */
interface Held<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}
function held<T>(): Held<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/**
 * The store seen by an AttributionService of the test's own: loads and saves of one document wait
 * until the test answers them, so a mark can be made exactly while the store is busy (as on a busy
 * machine, where a save or reload takes seconds). Every other document loads empty at once.
 */
class HeldStore implements Pick<RepositoryRegistry, 'load' | 'save'> {
  readonly loads: Held<AttributedSpan[]>[] = [];
  readonly saves: { spans: readonly AttributedSpan[]; answer: Held<AttributedSpan[] | undefined> }[] = [];
  holdLoads = true;
  /** Saves are answered "not merged" at once when false (a save then never waits on the test). */
  holdSaves = true;
  constructor(private readonly key: string) {}

  /** Once answered, reads a text given in pieces to its end first, as the real store hashes it (a large document is read so). */
  load(document: vscode.TextDocument, text: string | TextPieces): ReturnType<RepositoryRegistry['load']> {
    if (document.uri.toString() !== this.key || !this.holdLoads) return Promise.resolve({ spans: [], base: undefined });
    const answer = held<AttributedSpan[]>();
    this.loads.push(answer);
    return answer.promise.then(async (spans) => {
      if (typeof text !== 'string') for await (const piece of text.pieces()) void piece;
      return { spans, base: { generation: this.loads.length, updatedAt: '', spans, complete: true } };
    });
  }

  save(document: vscode.TextDocument, spans: readonly AttributedSpan[]): ReturnType<RepositoryRegistry['save']> {
    if (document.uri.toString() !== this.key) return Promise.resolve(undefined);
    const answer = held<AttributedSpan[] | undefined>();
    this.saves.push({ spans, answer });
    if (!this.holdSaves) answer.resolve(undefined);
    return answer.promise.then((merged) => ({ merged, base: { generation: this.saves.length, updatedAt: '', spans: merged ?? spans, complete: true } }));
  }
}

const AI: EditAuthor = { kind: 'ai', origin: { kind: 'manual', tool: 'unknown-ai' }, confidence: 'high' };

function foreignSpan(document: vscode.TextDocument, text: string): AttributedSpan {
  const start = document.getText().indexOf(text);
  return {
    id: 'foreign-span',
    start,
    end: start + text.length,
    origin: { kind: 'agent', tool: 'claude-code' },
    confidence: 'high',
    insertedAt: Date.now(),
    insertedTextHash: '0'.repeat(64),
    insertedLength: text.length,
    humanChangedChars: 0,
  } as AttributedSpan;
}

/**
 * Marks and reviews change no text, so the document's version cannot tell a save or a reload
 * that the ledger moved on while the store was busy: what was marked then must survive the
 * store's answer (the e2e review-cards run on CI lost the second of two marks this way).
 */
describe('Attribution kept while the working-state store is busy', function () {
  const disposables: vscode.Disposable[] = [];
  afterEach(() => {
    for (const disposable of disposables.splice(0)) disposable.dispose();
  });

  async function serviceFor(name: string, content: string): Promise<{ service: AttributionService; store: HeldStore; editor: vscode.TextEditor }> {
    const editor = await openScratch(name, content);
    const store = new HeldStore(editor.document.uri.toString());
    const log = vscode.window.createOutputChannel(`Vouch test ${name}`, { log: true });
    const service = new AttributionService(store as unknown as RepositoryRegistry, log);
    disposables.push(log, service);
    return { service, store, editor };
  }

  /** Answers the document's first load with no spans and lets its continuation run; later loads are answered at once unless `holdLater`. */
  async function answerFirstLoad(store: HeldStore, options: { readonly holdLater: boolean }): Promise<void> {
    store.loads.shift()?.resolve([]);
    await new Promise((resolve) => setImmediate(resolve));
    if (!options.holdLater) store.holdLoads = false;
  }

  const lineRange = (document: vscode.TextDocument, line: number) => document.lineAt(line).range;
  const savedTexts = (document: vscode.TextDocument, spans: readonly AttributedSpan[]) => spans.map((span) => textOf(document, span)).sort().join('|');
  const marked = (service: AttributionService, document: vscode.TextDocument) => service.spansOf(document.uri).map((span) => textOf(document, span)).sort();

  it('a mark made while a save is in flight survives the merge the save comes back with', async () => {
    const { service, store, editor } = await serviceFor('scratch-race-save.txt', 'alpha();\n\nbeta();\ngamma();\n');
    const document = editor.document;
    await answerFirstLoad(store, { holdLater: false });
    service.markRange(document, lineRange(document, 0), AI);
    const save = await waitFor('the save of the first mark', () => store.saves[0]);
    assert.deepEqual(save.spans.map((span) => textOf(document, span)), ['alpha();']);
    // While the store writes, a person marks a second line; another writer had added a third.
    service.markRange(document, lineRange(document, 2), AI);
    save.answer.resolve([...save.spans, foreignSpan(document, 'gamma();')]);
    await waitFor('the merge to be adopted', () => service.spansOf(document.uri).some((span) => span.id === 'foreign-span'));
    assert.deepEqual(marked(service, document), ['alpha();', 'beta();', 'gamma();']);
    // And the result is saved again, so the store holds the second mark too.
    const again = await waitFor('the save after the merge', () => store.saves[1]);
    assert.deepEqual(again.spans.map((span) => textOf(document, span)).sort(), ['alpha();', 'beta();', 'gamma();']);
    again.answer.resolve(undefined);
  });

  it('a save that fails (a lock held too long on a busy machine) is tried again without waiting for another change', async () => {
    const { service, store, editor } = await serviceFor('scratch-race-save-fails.txt', 'first();\nsecond();\n');
    const document = editor.document;
    await answerFirstLoad(store, { holdLater: false });
    service.markRange(document, lineRange(document, 1), AI);
    const failed = await waitFor('the save of the mark', () => store.saves[0]);
    failed.answer.reject(new Error('could not lock the state file: held by pid 1'));
    // Nothing else changes: the retry alone brings the mark to the store.
    const again = await waitFor('the save tried again', () => store.saves[1]);
    assert.deepEqual(again.spans.map((span) => textOf(document, span)), ['second();']);
    again.answer.resolve(undefined);
    assert.equal(store.saves.length, 2);
  });

  it('a mark made while a reload reads the store survives the reload', async () => {
    const { service, store, editor } = await serviceFor('scratch-race-reload.txt', 'one();\ntwo();\nthree();\n');
    const document = editor.document;
    await answerFirstLoad(store, { holdLater: true });
    const reloaded = service.reload(document);
    const load = await waitFor('the reload to read the store', () => store.loads[0]);
    service.markRange(document, lineRange(document, 1), AI);
    load.resolve([foreignSpan(document, 'three();')]);
    await reloaded;
    assert.deepEqual(marked(service, document), ['three();', 'two();']);
    const save = await waitFor('the save after the reload', () => store.saves.at(-1));
    assert.deepEqual(save.spans.map((span) => textOf(document, span)).sort(), ['three();', 'two();']);
    save.answer.resolve(undefined);
  });

  it('a mark made while the stored state first loads is applied after it, on the text it was made on', async () => {
    const { service, store, editor } = await serviceFor('scratch-race-open.txt', 'first();\nsecond();\n');
    const document = editor.document;
    const firstLoad = await waitFor('the first load', () => store.loads[0]);
    // Typed while loading (replayed later), then a mark of the typed line.
    await editor.edit((edit) => edit.insert(new vscode.Position(2, 0), 'typed();\n'));
    service.markRange(document, lineRange(document, 2), AI);
    firstLoad.resolve([foreignSpan(document, 'first();')]);
    await waitFor('the mark to be applied', () => service.spansOf(document.uri).length === 2);
    assert.deepEqual(marked(service, document), ['first();', 'typed();']);
  });

  it('an AI edit made while a large document\'s stored state is read by pieces keeps its attribution', async () => {
    // Over 20,000 lines: read a piece at a time, and read again over the current text once edited meanwhile.
    const content = Array.from({ length: 21_000 }, (_, line) => `line${line}();`).join('\n') + '\n';
    const { service, store, editor } = await serviceFor('scratch-race-large.txt', content);
    const document = editor.document;
    store.holdSaves = false; // the edit's own save may come before the merge on a slow machine
    const firstLoad = await waitFor('the first load', () => store.loads[0]);
    await service.runAsAi(document.uri, { kind: 'inline', tool: 'test-ai' }, 'high', () => editor.edit((edit) => edit.insert(new vscode.Position(1, 0), 'aiWrote();\n')));
    // The store answers, reads the pieces, finds the text changed, and is asked again over the current text.
    firstLoad.resolve([]);
    const again = await waitFor('the read over the current text', () => store.loads[1]);
    again.resolve([foreignSpan(document, 'line20000();')]);
    await waitFor('the stored span to be adopted', () => service.spansOf(document.uri).some((span) => span.id === 'foreign-span'));
    assert.deepEqual(marked(service, document), ['aiWrote();\n', 'line20000();']);
    await waitFor('a save of the merge', () => store.saves.some((save) => savedTexts(document, save.spans) === 'aiWrote();\n|line20000();'));
  });

  it('an AI edit made while a reload reads a large document by pieces keeps its attribution', async () => {
    const content = Array.from({ length: 21_000 }, (_, line) => `row${line}();`).join('\n') + '\n';
    const { service, store, editor } = await serviceFor('scratch-race-large-reload.txt', content);
    const document = editor.document;
    store.holdSaves = false; // the edit's own save may come before the merge on a slow machine
    store.loads.shift()?.resolve([]);
    await service.whenLoaded(document);
    const reloaded = service.reload(document);
    const load = await waitFor('the reload to read the store', () => store.loads[0]);
    await service.runAsAi(document.uri, { kind: 'inline', tool: 'test-ai' }, 'high', () => editor.edit((edit) => edit.insert(new vscode.Position(1, 0), 'aiWrote();\n')));
    load.resolve([]);
    const again = await waitFor('the read over the current text', () => store.loads[1]);
    again.resolve([foreignSpan(document, 'row20000();')]);
    await reloaded;
    assert.deepEqual(marked(service, document), ['aiWrote();\n', 'row20000();']);
    await waitFor('a save of the merge', () => store.saves.some((save) => savedTexts(document, save.spans) === 'aiWrote();\n|row20000();'));
  });
});
