/**
 * How core texts reach the user's language without core importing 'vscode': every builder of text
 * a user sees takes a Translate and hands it English messages with `{0}`, `{1}` placeholders, as
 * vscode.l10n.t takes them. The host passes vscode.l10n.t; the CLI (whose output stays English) and
 * tests pass `english`. Call it with a literal message, `t('...', args)`: scripts/l10n.mjs collects
 * those literals into l10n/bundle.l10n.json, and a computed message could not be translated.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** The English text: the message with its placeholders filled in (a placeholder without an argument stays). */
export const english: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (placeholder, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : placeholder));
