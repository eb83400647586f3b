// The extension's user-facing strings go through vscode.l10n.t. This reads src/host and
// src/extension.ts with the TypeScript parser and finds (1) the messages given to l10n.t, which
// make the English bundle l10n/bundle.l10n.json, and (2) text handed to the editor's UI (messages,
// buttons, status bar, quick picks, progress titles, tree items, hovers) that bypasses l10n.t.
// Core and the review page build text without vscode: core's builders take a Translate `t`
// (src/core/text/translate.ts), the page has its own `t` over REVIEW_PAGE_MESSAGES
// (src/shared/reviewPageText.ts), which the host translates and sends. Their `t('...')` messages
// and that list go into the bundle too, and the page's own files are checked for bypassing text.
// `node scripts/l10n.mjs` rewrites the bundle; test/unit/docs/l10n.test.ts checks both.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bundleFile = path.join(repoRoot, 'l10n', 'bundle.l10n.json');

/** Calls whose every argument is shown to the user (the message, then its buttons). */
const SHOWN_ARGUMENTS = new Set(['showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'setStatusBarMessage', 'appendMarkdown', 'appendText']);
/** Constructors whose first argument is shown. */
const SHOWN_CONSTRUCTOR_ARGUMENT = new Set(['MarkdownString', 'TreeItem']);
/** Properties the editor shows: in object literals (quick pick items, progress options, commands) and when assigned. */
const SHOWN_PROPERTIES = new Set(['title', 'placeHolder', 'placeholder', 'prompt', 'tooltip', 'label', 'description', 'detail', 'text', 'message', 'textContent', 'aria-label']);
/** Attributes the page shows or reads aloud (set with setAttribute). */
const SHOWN_ATTRIBUTES = new Set(['title', 'placeholder', 'aria-label']);

/** Source files of the extension host. */
export function hostSourceFiles() {
  const files = [path.join(repoRoot, 'src', 'extension.ts')];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk(path.join(repoRoot, 'src', 'host'));
  return files.sort();
}

function typeScriptFilesUnder(...segments) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk(path.join(repoRoot, ...segments));
  return files.sort();
}

/** Files of the review page: checked like the host's (text goes through its `t`). */
export function pageSourceFiles() {
  return typeScriptFilesUnder('src', 'webview');
}

/** Files that build text without vscode: core (their Translate `t`) and shared (REVIEW_PAGE_MESSAGES). Messages are collected; other literals are not checked. */
export function textBuilderFiles() {
  return [...typeScriptFilesUnder('src', 'core'), ...typeScriptFilesUnder('src', 'shared')];
}

/** `vscode.l10n.t(...)`, a Translate `t(...)` (core, page), or the page's `this.t(...)`. */
function isL10nCall(node) {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text === 't';
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 't' && (/(^|\.)l10n$/.test(callee.expression.getText()) || callee.expression.kind === ts.SyntaxKind.ThisKeyword);
}

/** `const SOMETHING_MESSAGES = ['...', ...] as const`: a list of messages translated elsewhere (the review page's). */
function messageListOf(node) {
  if (!ts.isVariableDeclaration(node) || !ts.isIdentifier(node.name) || !/_MESSAGES$/.test(node.name.text) || !node.initializer) return undefined;
  let list = node.initializer;
  while (ts.isAsExpression(list) || ts.isParenthesizedExpression(list)) list = list.expression;
  return ts.isArrayLiteralExpression(list) ? list.elements : undefined;
}

/** Words in a literal: two letters in a row outside codicons ($(name)) and outside ${...}. */
function hasWords(text) {
  return /\p{L}{2}/u.test(text.replace(/\$\([\w~-]+\)/g, ''));
}

function literalText(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('');
  return undefined;
}

/** Text literals an expression shows, looking through ?:, (), + and template parts; l10n.t's message counts as translated. */
function untranslated(node, found) {
  if (isL10nCall(node)) {
    for (const argument of node.arguments.slice(1)) untranslated(argument, found);
    return;
  }
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return untranslated(node.expression, found);
  if (ts.isConditionalExpression(node)) {
    untranslated(node.whenTrue, found);
    untranslated(node.whenFalse, found);
    return;
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    untranslated(node.left, found);
    untranslated(node.right, found);
    return;
  }
  if (ts.isArrayLiteralExpression(node)) {
    for (const element of node.elements) untranslated(element, found);
    return;
  }
  const text = literalText(node);
  if (text !== undefined && hasWords(text)) found.push(node);
  if (ts.isTemplateExpression(node)) for (const span of node.templateSpans) untranslated(span.expression, found);
}

/**
 * Reads the files: `messages` given to l10n.t or a `t` (sorted, unique), `dynamic` calls whose
 * message is not a literal (no bundle can hold it), `bypassing` shown texts not through them.
 * `files` are checked for bypassing text; `builderFiles` only give their messages.
 */
export function scanL10n(files = [...hostSourceFiles(), ...pageSourceFiles()], builderFiles = textBuilderFiles()) {
  const messages = new Set();
  const dynamic = [];
  const bypassing = [];
  const checked = new Set(files);
  for (const file of [...files, ...builderFiles]) {
    const checkShown = checked.has(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node) => `${path.relative(repoRoot, file).split(path.sep).join('/')}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const shown = (expression) => {
      const found = [];
      untranslated(expression, found);
      for (const node of found) bypassing.push(`${where(node)}: ${node.getText().slice(0, 100)}`);
    };
    const visit = (node) => {
      const list = messageListOf(node);
      if (list) {
        for (const element of list) {
          if (ts.isStringLiteral(element) || ts.isNoSubstitutionTemplateLiteral(element)) messages.add(element.text);
          else dynamic.push(`${where(element)}: ${element.getText().slice(0, 100)}`);
        }
      } else if (isL10nCall(node)) {
        const [message] = node.arguments;
        const text = message && (ts.isStringLiteral(message) || ts.isNoSubstitutionTemplateLiteral(message)) ? message.text : undefined;
        if (text === undefined) dynamic.push(`${where(node)}: ${node.getText().slice(0, 100)}`);
        else messages.add(text);
      } else if (!checkShown) {
        // Text builders: only their messages count.
      } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'setAttribute') {
        const [name, value] = node.arguments;
        if (name && value && ts.isStringLiteral(name) && SHOWN_ATTRIBUTES.has(name.text)) shown(value);
      } else if (ts.isCallExpression(node)) {
        const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : ts.isIdentifier(node.expression) ? node.expression.text : '';
        if (SHOWN_ARGUMENTS.has(callee)) for (const argument of node.arguments) shown(argument);
      } else if (ts.isNewExpression(node)) {
        const name = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : ts.isIdentifier(node.expression) ? node.expression.text : '';
        if (SHOWN_CONSTRUCTOR_ARGUMENT.has(name) && node.arguments?.[0]) shown(node.arguments[0]);
      } else if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && SHOWN_PROPERTIES.has(node.name.text)) {
        shown(node.initializer);
      } else if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(node.left) &&
        SHOWN_PROPERTIES.has(node.left.name.text)
      ) {
        shown(node.right);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { messages: [...messages].sort(), dynamic, bypassing };
}

/** The English bundle: each message maps to itself (translators copy it to bundle.l10n.<locale>.json). */
export function bundleOf(messages) {
  return `${JSON.stringify(Object.fromEntries(messages.map((message) => [message, message])), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { messages, dynamic, bypassing } = scanL10n();
  writeFileSync(bundleFile, bundleOf(messages));
  console.log(`l10n/bundle.l10n.json: ${messages.length} messages`);
  for (const line of dynamic) console.error(`l10n.t without a literal message: ${line}`);
  for (const line of bypassing) console.error(`shown without l10n.t: ${line}`);
  if (dynamic.length + bypassing.length > 0) process.exitCode = 1;
}
