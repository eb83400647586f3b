/**
 * What Vouch says about a file whose AI lines git's filters changed on add (src/git/filteredLines.ts):
 * the gate (`vouch check --staged` and the editor's staging gate) and the record (`vouch
 * record-commit`, the editor's commit recording) use these words. The caller puts the file's path
 * before it, escaped. The CLI passes `english`, the editor vscode.l10n.t.
 */
import { english, type Translate } from '../text/translate';

/** Why `count` AI lines of a file that was staged (or committed) cannot be placed in its blob. */
export function filterChangedMessage(count: number, where: 'staged' | 'committed', t: Translate = english): string {
  if (where === 'staged') {
    return count === 1
      ? t("git's filters (.gitattributes filter, ident or working-tree-encoding) changed 1 AI line when the file was staged, so Vouch cannot tell which staged line it is")
      : t("git's filters (.gitattributes filter, ident or working-tree-encoding) changed {0} AI lines when the file was staged, so Vouch cannot tell which staged lines they are", count);
  }
  return count === 1
    ? t("git's filters (.gitattributes filter, ident or working-tree-encoding) changed 1 AI line when the file was committed, so Vouch cannot tell which committed line it is")
    : t("git's filters (.gitattributes filter, ident or working-tree-encoding) changed {0} AI lines when the file was committed, so Vouch cannot tell which committed lines they are", count);
}
