// Packages the extension as a user gets it (`vsce package`) and checks what the .vsix carries:
// the bundles, both tree-sitter .wasm files, grammar, snippets, translations and manifest, and
// nothing else (no sources, tests, source maps or node_modules). Prints `package: N passed, N failed`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REQUIRED = ['package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'package.nls.ja.json', 'dist/client.js', 'dist/server.js',
  'dist/web-tree-sitter.wasm', 'dist/tree-sitter-powershell.wasm', 'syntaxes/exrunbook.tmLanguage.json', 'snippets/exrunbook.code-snippets',
  'l10n/bundle.l10n.zh-cn.json', 'l10n/bundle.l10n.ja.json', 'language-configuration.json', 'README.md',
  // The Exchange simulator is loaded by the health view and the terminals in simulator mode.
  'simulator/ExchangeSimulator.psd1', 'simulator/ExchangeSimulator.psm1', 'images/health-view.svg'];
const ALLOWED = /^(package(\.nls(\.[a-z-]+)?)?\.json|language-configuration\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/[\w-]+\.(js|wasm)|syntaxes\/.+|snippets\/.+|l10n\/.+|images\/[\w-]+\.(svg|png)|simulator\/[\w.-]+\.(psd1|psm1|ps1|ps1xml|json))$/;

let passed = 0;
let failed = 0;
function check(title, body) {
  try {
    body();
    passed++;
    console.log(`  ✓ ${title}`);
  } catch (error) {
    failed++;
    console.log(`  ✗ ${title}\n      ${error.message}`);
  }
}

const vsce = (...args) => execFileSync('npx', ['--no-install', 'vsce', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const listed = vsce('ls', '--no-dependencies').split('\n').map((l) => l.trim()).filter(Boolean);

check('the .vsix carries the bundles, both .wasm files, grammar, snippets, translations and manifest', () => {
  const missing = REQUIRED.filter((f) => !listed.includes(f));
  if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
});
check('the .vsix carries nothing else (no sources, tests, source maps, node_modules)', () => {
  const extra = listed.filter((f) => !ALLOWED.test(f));
  if (extra.length) throw new Error(`not on the allowlist: ${extra.slice(0, 20).join(', ')}`);
});
const folder = mkdtempSync(join(tmpdir(), 'exr-vsix-'));
check('vsce package writes the .vsix', () => {
  const vsix = join(folder, 'exchange-health-runbooks.vsix');
  vsce('package', '--no-dependencies', '--allow-missing-repository', '-o', vsix);
  if (statSync(vsix).size < 100_000) throw new Error(`${vsix} is only ${statSync(vsix).size} bytes`);
});
rmSync(folder, { recursive: true, force: true });
console.log(`package: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
