// esbuild plugins that give a bundle each external CommonJS module it imports as one ES module
// with a named export per value, required once. Left external, such a module is CommonJS to
// esbuild, and every file that imports it as a namespace (`import * as path from 'node:path'`)
// gets its own copy of it (esbuild's __toESM defines a getter per name, once per importing file):
// for `vscode`, ~200 names in 45 files cost the extension host about 40 ms at activation; for
// node's modules, 35 copies (30 of node:path) cost ~4 ms of the bundle's ~43 ms load in node.
// Here each module is required once and each import is a plain variable.
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

/**
 * An ES module over `require(specifier)`: a named export per name, each a pure read, so that
 * esbuild drops the names no file imports; and the module itself as the default export.
 */
function oneRequireModule(specifier, names) {
  const lines = names.map((name) => `export const ${name} = /* @__PURE__ */ (() => required.${name})();`);
  return { contents: `const required = require(${JSON.stringify(specifier)});\nexport default required;\n${lines.join('\n')}\n`, loader: 'js', resolveDir: process.cwd() };
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
      build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => oneRequireModule('vscode', vscodeValueNames()));
    },
  };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Node's own modules (`node:` specifiers) imported by `import` statements, each required once.
 * Their names are those of the node that builds; a name the running node lacks reads undefined,
 * as it would from the module itself. require() calls (in dependencies) are left as they are.
 * @returns {import('esbuild').Plugin}
 */
export function nodeBuiltinsPlugin() {
  return {
    name: 'node-builtins',
    setup(build) {
      build.onResolve({ filter: /^node:/ }, (args) => {
        if (args.namespace === 'node-builtin') return { path: args.path, external: true };
        return args.kind === 'import-statement' ? { path: args.path, namespace: 'node-builtin' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) =>
        oneRequireModule(
          args.path,
          Object.keys(require(args.path)).filter((name) => IDENTIFIER.test(name) && name !== 'default'),
        ),
      );
    },
  };
}
