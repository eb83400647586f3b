// One writer of the concurrent-writers test and benchmark, run as its own process:
//   node <this file bundled> <role> <repo> <cli> <seconds> <name> <claude-code Edit fixture>
// Roles: 'window' drives the working-state store and the commit recording the extension host uses
// (no vscode); 'terminal' runs the vouch CLI (mark, review) and git commit with the installed
// hooks; 'agent' runs `vouch agent-hook claude-code` with an Edit payload, then reviews and commits.
// Each writer appends AI lines to its own file, marks, reviews and commits them, and prints on
// exit (one JSON line) which AI lines each of its commits holds.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AttributedSpan } from '../../src/core/attribution';
import { silentLogger } from '../../src/core/logger';
import { sha256Hex } from '../../src/core/textHash';
import { GitRunner } from '../../src/git/gitRunner';
import { findRepository } from '../../src/git/repository';
import { NotesReader } from '../../src/git/notes/notesReader';
import { NotesWriter } from '../../src/git/notes/notesWriter';
import { WorkingStatePendingSpans } from '../../src/git/notes/pendingSpans';
import { recordPendingSpansOfCommit } from '../../src/git/notes/commitRecording';
import { WorkingStateStore } from '../../src/git/workingStateStore';

export type WriterRole = 'window' | 'terminal' | 'agent';

/** What one writer committed: per commit, the 1-based lines of its file that are AI. */
export interface WriterLog {
  readonly name: string;
  readonly role: WriterRole;
  readonly file: string;
  readonly commits: { readonly commit: string; readonly aiLines: readonly number[] }[];
  /** Steps that failed and were given up (a commit that never happened, a mark that failed). */
  readonly failures: string[];
  readonly iterations: number;
}

const AI_LINES_PER_ROUND = 3;
const git = new GitRunner();

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a git command that takes the index lock, retrying while another writer holds it. */
async function gitWithRetry(repo: string, args: readonly string[]): Promise<Run> {
  let last: Run | undefined;
  for (let attempt = 0; attempt < 200; attempt++) {
    last = await run('git', args, repo);
    if (last.code === 0) return last;
    if (!/index\.lock|\.lock': File exists|cannot lock ref|Unable to create/i.test(last.stderr)) return last;
    await pause(20 + Math.random() * 80);
  }
  return last as Run;
}

function newLines(name: string, round: number): string[] {
  return Array.from({ length: AI_LINES_PER_ROUND }, (_, index) => `export const ${name}_${round}_${index} = compute(${round}, ${index});`);
}

/** Commits `file` alone (other writers' staged files stay out of it) and returns the commit. */
async function commitFile(repo: string, file: string, message: string): Promise<string | undefined> {
  const added = await gitWithRetry(repo, ['add', '--', file]);
  if (added.code !== 0) throw new Error(`git add: ${added.stderr.trim()}`);
  const committed = await gitWithRetry(repo, ['commit', '-q', '-m', message, '--only', '--', file]);
  if (committed.code !== 0) throw new Error(`git commit: ${committed.stderr.trim()}${committed.stdout.trim()}`);
  // This writer alone commits this file: its last commit is the one just made, whatever HEAD is now.
  const last = await run('git', ['log', '-1', '--format=%H', '--', file], repo);
  return last.stdout.trim() || undefined;
}

class Writer {
  readonly log: WriterLog;
  private text: string;

  constructor(
    readonly role: WriterRole,
    readonly repo: string,
    readonly cli: string,
    readonly name: string,
    readonly agentEditFixture: string,
  ) {
    const file = `${name}.js`;
    this.log = { name, role, file, commits: [], failures: [], iterations: 0 };
    this.text = `// ${name}\n`;
  }

  get file(): string {
    return this.log.file;
  }

  vouch(args: readonly string[], input?: string): Promise<Run> {
    return run(process.execPath, [this.cli, ...args], this.repo, input);
  }

  /** One round: append AI lines (and a human line), mark, review, commit. Returns the AI line numbers. */
  async round(round: number, store?: WorkingStateStore): Promise<number[]> {
    const before = this.text;
    const added = newLines(this.name, round);
    const firstLine = before.split('\n').length; // the 1-based number of the first added line
    const aiLines = added.map((_, index) => firstLine + index);
    if (this.role === 'agent') {
      // An Edit tool call: the agent replaces its file's last line by itself plus the new lines.
      const lastLine = before.slice(0, -1).split('\n').pop() as string;
      this.text = `${before}${added.join('\n')}\n`;
      writeFileSync(path.join(this.repo, this.file), this.text);
      const fixture = JSON.parse(readFileSync(this.agentEditFixture, 'utf8')) as { payload: Record<string, unknown> };
      const filePath = path.join(this.repo, this.file);
      const payload = {
        ...fixture.payload,
        cwd: this.repo,
        tool_input: { file_path: filePath, old_string: lastLine, new_string: `${lastLine}\n${added.join('\n')}`, replace_all: false },
        tool_response: { filePath, oldString: lastLine, newString: `${lastLine}\n${added.join('\n')}` },
      };
      const hooked = await this.vouch(['agent-hook', 'claude-code'], JSON.stringify(payload));
      // agent-hook always exits 0 (an agent's tool call must never fail); what it marked goes to stderr.
      const said = `marked lines ${aiLines[0]}-${aiLines[aiLines.length - 1]} of ${this.file}`;
      if (!hooked.stderr.includes(said)) throw new Error(`vouch agent-hook did not say '${said}': ${hooked.stderr.trim().slice(0, 300)}`);
    } else {
      this.text = `${before}${added.join('\n')}\n`;
      writeFileSync(path.join(this.repo, this.file), this.text);
      if (store) {
        const start = before.length;
        const end = before.length + added.join('\n').length;
        const loaded = await store.loadForText(this.file, this.text);
        const current = loaded?.spans ?? [];
        const span: AttributedSpan = {
          id: `${this.name}-${round}`,
          start,
          end,
          origin: { kind: 'inline', tool: 'github-copilot' },
          confidence: 'high',
          insertedAt: Date.now(),
          insertedTextHash: sha256Hex(this.text.slice(start, end)),
          insertedLength: end - start,
          humanChangedChars: 0,
        };
        await store.save(this.file, [...current, span], this.text, { base: loaded?.base });
      } else {
        const marked = await this.vouch(['mark', this.file, '--lines', `${aiLines[0]}-${aiLines[aiLines.length - 1]}`, '--tool', 'aider']);
        if (marked.code !== 0) throw new Error(`vouch mark: ${marked.stderr.trim()}`);
      }
    }
    // Review.
    if (store) {
      const loaded = await store.loadForText(this.file, this.text);
      const reviewed = (loaded?.spans ?? []).map((span) =>
        span.review
          ? span
          : {
              ...span,
              review: {
                decision: 'accepted' as const,
                intent: `round ${round} of ${this.name}`,
                scope: ['none' as const],
                reviewer: { name: 'Writer', email: 'writer@example.com' },
                reviewedAt: new Date().toISOString(),
                textHash: sha256Hex(this.text.slice(span.start, span.end)),
              },
            },
      );
      await store.save(this.file, reviewed, this.text, { base: loaded?.base });
    } else {
      const reviewed = await this.vouch(['review', this.file, '--lines', `${aiLines[0]}-${aiLines[aiLines.length - 1]}`, '--intent', `round ${round} of ${this.name}`, '--scope', 'none']);
      if (reviewed.code !== 0) throw new Error(`vouch review: ${reviewed.stderr.trim()}`);
    }
    return aiLines;
  }
}

/** What the extension host's NotesController does when HEAD moves to a new commit: record it unless it has a note. */
async function recordLikeTheEditor(repo: string, pending: WorkingStatePendingSpans, commit: string): Promise<void> {
  const { topLevel } = await findRepository(git, repo);
  const context = { git, topLevel, reader: new NotesReader(git, topLevel, silentLogger), writer: await NotesWriter.open(git, topLevel, silentLogger), logger: silentLogger };
  if (await context.reader.readNote(commit)) return;
  await recordPendingSpansOfCommit(context, pending, commit);
}

async function main(): Promise<void> {
  const [role, repo, cli, seconds, name, agentEditFixture] = process.argv.slice(2) as [WriterRole, string, string, string, string, string];
  const writer = new Writer(role, repo, cli, name, agentEditFixture);
  const deadline = Date.now() + Number(seconds) * 1000;
  const store = role === 'window' ? await WorkingStateStore.open(git, repo, silentLogger) : undefined;
  const pending = new WorkingStatePendingSpans(async () => store as WorkingStateStore, silentLogger);
  writeFileSync(path.join(repo, writer.file), `// ${name}\n`);
  let seenHead = (await run('git', ['rev-parse', 'HEAD'], repo)).stdout.trim();
  let round = 0;
  while (Date.now() < deadline) {
    round++;
    try {
      const aiLines = await writer.round(round, store);
      const commit = await commitFile(repo, writer.file, `${name} round ${round}`);
      if (!commit) throw new Error('no commit');
      writer.log.commits.push({ commit, aiLines });
      if (store) {
        // The window's own commit event, then HEAD moves made by the others (as the controller follows them).
        await recordLikeTheEditor(repo, pending, commit);
        const head = (await run('git', ['rev-parse', 'HEAD'], repo)).stdout.trim();
        const parent = (await run('git', ['rev-parse', `${head}^`], repo)).stdout.trim();
        if (head !== seenHead && parent === seenHead) await recordLikeTheEditor(repo, pending, head);
        seenHead = head;
      }
    } catch (error) {
      // A failed step leaves this writer's file in a state its log cannot describe exactly: stop here.
      writer.log.failures.push(`round ${round}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500));
      break;
    }
  }
  process.stdout.write(`${JSON.stringify({ ...writer.log, iterations: round })}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(String(error instanceof Error ? error.stack : error));
    process.exit(3);
  });
}
