// Bundles the extension: one esbuild script, four entry points (client, language server, linter and rehearsal CLIs).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = 'dist';

// web-tree-sitter's ESM build uses import.meta.url, which crashes in a CJS bundle: point esbuild
// at the CommonJS build, and ship both .wasm files next to the server bundle.
const webTreeSitter = require.resolve('web-tree-sitter');
const wasmFiles = [
  join(dirname(webTreeSitter), 'web-tree-sitter.wasm'),
  require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'),
];

function copyWasm() {
  mkdirSync(outdir, { recursive: true });
  for (const file of wasmFiles) {
    if (!existsSync(file)) {
      throw new Error(`build: ${file} is missing; the server cannot parse PowerShell without it`);
    }
    copyFileSync(file, join(outdir, file.split(/[\\/]/).pop()));
  }
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  alias: { 'web-tree-sitter': webTreeSitter },
};

const contexts = await Promise.all([
  esbuild.context({ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir, external: ['vscode'] }),
  esbuild.context({ ...common, entryPoints: { server: 'server/src/main.ts', lint: 'server/src/cli/lint.ts', rehearse: 'server/src/cli/rehearse.ts' }, outdir }),
]);

// A production build (what `vsce package` runs first) starts from an empty dist/, so no source map
// or bundle of an earlier development build rides along.
if (production) rmSync(outdir, { recursive: true, force: true });
copyWasm();
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
