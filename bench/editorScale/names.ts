/** The workspace path of the editor-scale bench's file `index`: 100 files per folder, as a mid-sized repository has. */
export function scaleFileName(index: number): string {
  return `src/m${Math.floor(index / 100)}/f${index}.ts`;
}
