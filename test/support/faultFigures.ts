/**
 * Fault figures: tests that throw hostile input or kills at Vouch count what they tried here, and
 * test/unit/faultFigures.test.ts prints the table once the run is over (npm test shows it).
 */
export interface FaultFigure {
  /** Cases tried (hostile inputs fed, processes killed). */
  tried: number;
  /** Cases Vouch came through: no crash, no hang, a clear message, state old-or-new. */
  survived: number;
  /** Records (note records, working-state spans, file contents) lost or damaged. */
  lost: number;
}

const figures = new Map<string, FaultFigure>();

export function countFault(area: string, outcome: { survived: boolean; lost?: number }): void {
  const figure = figures.get(area) ?? { tried: 0, survived: 0, lost: 0 };
  figure.tried++;
  if (outcome.survived) figure.survived++;
  figure.lost += outcome.lost ?? 0;
  figures.set(area, figure);
}

export function faultFigures(): ReadonlyMap<string, FaultFigure> {
  return figures;
}

export function formatFaultTable(rows: ReadonlyMap<string, FaultFigure>): string {
  const header = ['fault case', 'cases tried', 'survived', 'records lost'];
  const body = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([area, f]) => [area, String(f.tried), String(f.survived), String(f.lost)]);
  const total = [...rows.values()].reduce((sum, f) => ({ tried: sum.tried + f.tried, survived: sum.survived + f.survived, lost: sum.lost + f.lost }), { tried: 0, survived: 0, lost: 0 });
  body.push(['total', String(total.tried), String(total.survived), String(total.lost)]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
