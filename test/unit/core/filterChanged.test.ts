import * as assert from 'node:assert/strict';
import { filterChangedMessage } from '../../../src/core/review/filterChanged';
import { english, type Translate } from '../../../src/core/text/translate';

describe("filterChangedMessage: what the gate and the record say about AI lines git's filters changed", () => {
  it('says it in English for the CLI, one line or several, staged or committed', () => {
    assert.equal(filterChangedMessage(1, 'staged'), "git's filters (.gitattributes filter, ident or working-tree-encoding) changed 1 AI line when the file was staged, so Vouch cannot tell which staged line it is");
    assert.equal(filterChangedMessage(2, 'staged'), "git's filters (.gitattributes filter, ident or working-tree-encoding) changed 2 AI lines when the file was staged, so Vouch cannot tell which staged lines they are");
    assert.equal(filterChangedMessage(1, 'committed'), "git's filters (.gitattributes filter, ident or working-tree-encoding) changed 1 AI line when the file was committed, so Vouch cannot tell which committed line it is");
    assert.equal(filterChangedMessage(3, 'committed'), "git's filters (.gitattributes filter, ident or working-tree-encoding) changed 3 AI lines when the file was committed, so Vouch cannot tell which committed lines they are");
  });

  it("goes through the Translate it is given (the editor's vscode.l10n.t) with the count as an argument", () => {
    const asked: Array<[string, unknown[]]> = [];
    const recording: Translate = (message, ...args) => {
      asked.push([message, args]);
      return english(message, ...args);
    };
    assert.equal(filterChangedMessage(4, 'staged', recording), filterChangedMessage(4, 'staged'));
    assert.deepEqual(asked, [["git's filters (.gitattributes filter, ident or working-tree-encoding) changed {0} AI lines when the file was staged, so Vouch cannot tell which staged lines they are", [4]]]);
  });
});
