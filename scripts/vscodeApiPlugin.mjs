// An esbuild plugin that gives the extension bundle the `vscode` module as one ES module with a
// named export for each value @types/vscode declares. Left external, `vscode` is CommonJS to
// esbuild, and every file that imports it would get its own copy of the whole API (esbuild's
// __toESM defines a getter per API name, ~200 of them, once per importing file): 45 copies cost the
// extension host about 40 ms at activation. Here the API is required once and each import is a
// plain variable.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const require = createRequire(import.meta.url);

/** The names of the values (classes, enums, functions, namespaces, constants) module 'vscode' exports, by its typings. */
export function vscodeValueNames() {
  const typingsFile = require.resolve('@types/vscode/index.d.ts');
  const typings = ts.createSourceFile(typingsFile, readFileSync(typingsFile, 'utf8'), ts.ScriptTarget.Latest, false);
  const names = [];
  for (const statement of typings.statements) {
    if (!ts.isModuleDeclaration(statement) || statement.name.text !== 'vscode' || !statement.body || !ts.isModuleBlock(statement.body)) continue;
    for (const declaration of statement.body.statements) {
      if (!declaration.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
      if (ts.isClassDeclaration(declaration) || ts.isEnumDeclaration(declaration) || ts.isFunctionDeclaration(declaration)) {
        if (declaration.name) names.push(declaration.name.text);
      } else if (ts.isModuleDeclaration(declaration) && ts.isIdentifier(declaration.name)) {
        names.push(declaration.name.text);
      } else if (ts.isVariableStatement(declaration)) {
        for (const variable of declaration.declarationList.declarations) if (ts.isIdentifier(variable.name)) names.push(variable.name.text);
      }
    }
  }
  if (names.length < 100) throw new Error(`@types/vscode declares only ${names.length} values: its typings were not read as expected`);
  return [...new Set(names)];
}

/** @returns {import('esbuild').Plugin} */
export function vscodeApiPlugin() {
  return {
    name: 'vscode-api',
    setup(build) {
      build.onResolve({ filter: /^vscode$/ }, (args) =>
        // The module below requires the real API, which stays external.
        args.namespace === 'vscode-api' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-api' },
      );
      build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => {
        // Each name a pure read, so esbuild drops the names no file imports.
        const lines = vscodeValueNames().map((name) => `export const ${name} = /* @__PURE__ */ (() => api.${name})();`);
        return { contents: `const api = require('vscode');\n${lines.join('\n')}\n`, loader: 'js', resolveDir: process.cwd() };
      });
    },
  };
}
