// Builds and loads the in-process language service for the benchmarks. The sources are bundled
// with esbuild the way scripts/build.mjs bundles dist/server.js (CommonJS, node20, web-tree-sitter's
// CJS build, the .wasm files beside the bundle), so the code measured here is the code the server
// runs — including its `--liftoff-only` V8 flag, set before tree-sitter's wasm is compiled.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
export const BUILD_DIR = join(ROOT, 'bench', 'results', '.build');
export const BUNDLE = join(BUILD_DIR, 'service.cjs');

export async function buildService() {
  const esbuild = await import('esbuild');
  const webTreeSitter = require.resolve('web-tree-sitter');
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const file of [join(dirname(webTreeSitter), 'web-tree-sitter.wasm'), require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm')]) {
    copyFileSync(file, join(BUILD_DIR, file.split(/[\\/]/).pop()));
  }
  await esbuild.build({
    entryPoints: [join(here, 'service-entry.mjs')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    alias: { 'web-tree-sitter': webTreeSitter },
  });
  return BUNDLE;
}

/** The bundled module: { RunbookLanguageService, parseRunbook, RunbookModel, checks..., clearPowerShellCache }. */
export function loadService() {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: bench/run.mjs builds it (or call buildService()).`);
  return require(BUNDLE);
}
