import * as assert from 'node:assert/strict';
import { faultFigures, formatFaultTable } from '../support/faultFigures';

// A root hook: runs once after every test of the run, so the table holds what the fault tests counted.
after(function () {
  const figures = faultFigures();
  if (figures.size === 0) return;
  console.log(`\nFault figures (hostile inputs and kills thrown at Vouch in this run):\n${formatFaultTable(figures)}\n`);
  for (const [area, figure] of figures) {
    assert.equal(figure.lost, 0, `${area}: records lost`);
    assert.equal(figure.survived, figure.tried, `${area}: cases not survived`);
  }
});

describe('fault figures table', () => {
  it('totals each column and lines up', () => {
    const table = formatFaultTable(
      new Map([
        ['b kill', { tried: 3, survived: 3, lost: 0 }],
        ['a input', { tried: 10, survived: 9, lost: 1 }],
      ]),
    );
    assert.equal(
      table,
      [
        '| fault case | cases tried | survived | records lost |',
        '|------------|------------:|---------:|-------------:|',
        '| a input    |          10 |        9 |            1 |',
        '| b kill     |           3 |        3 |            0 |',
        '| total      |          13 |       12 |            1 |',
      ].join('\n'),
    );
  });
});
