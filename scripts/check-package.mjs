// Packages the extension as a user gets it (`vsce package`, which runs the production build first)
// and the linter as npm publishes it, and checks both: the .vsix carries what the extension loads
// and nothing else, the manifest has what the Marketplace shows (icon, publisher, links, changelog),
// the bundles are minified, and the npm package installs a working `exchange-runbook-lint`.
// Prints `package: N passed, N failed`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REQUIRED = ['package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'package.nls.ja.json', 'dist/client.js', 'dist/server.js', 'dist/rehearse.js',
  'dist/web-tree-sitter.wasm', 'dist/tree-sitter-powershell.wasm', 'syntaxes/exrunbook.tmLanguage.json',
  'l10n/bundle.l10n.zh-cn.json', 'l10n/bundle.l10n.ja.json', 'language-configuration.json', 'README.md', 'CHANGELOG.md', 'LICENSE',
  // The Exchange simulator is loaded by the health view and the terminals in simulator mode.
  'simulator/ExchangeSimulator.psd1', 'simulator/ExchangeSimulator.psm1', 'images/health-view.svg', 'images/icon.png', 'images/exrunbook-file.svg',
  // The walkthrough opens a copy of this example.
  'examples/pop-protocol.exrunbook'];
const ALLOWED = /^(package(\.nls(\.[a-z-]+)?)?\.json|language-configuration\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/(client|server|rehearse)\.js|dist\/[\w-]+\.wasm|syntaxes\/.+|l10n\/.+|images\/[\w-]+\.(svg|png)|images\/walkthrough\/[\w-]+\.jpg|examples\/[\w-]+\.exrunbook|simulator\/[\w.-]+\.(psd1|psm1|ps1|ps1xml|json))$/;
const NPM_FILES = ['package.json', 'README.md', 'docs/language.md', 'LICENSE', 'CHANGELOG.md', 'bin/exchange-runbook-lint.js', 'bin/exchange-runbook.js',
  'dist/lint.js', 'dist/rehearse.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-powershell.wasm'];
/** The rehearsal runs the simulator module: every file of it ships in the npm package (npm adds its README itself). */
const SIMULATOR_FILES = readdirSync('simulator').filter((f) => /\.(psd1|psm1|ps1|ps1xml|json)$|^README\.md$/.test(f)).map((f) => `simulator/${f}`);

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
function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const vsce = (...args) => execFileSync('npx', ['--no-install', 'vsce', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(path) {
  const bytes = readFileSync(path);
  expect(bytes.subarray(1, 4).toString('ascii') === 'PNG', `${path} is not a PNG`);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

check('the manifest has what the Marketplace shows: a 128x128 PNG icon, a publisher of its own, repository, bugs, homepage', () => {
  expect(manifest.icon && existsSync(manifest.icon), `icon ${manifest.icon} is missing`);
  expect(pngSize(manifest.icon).join('x') === '128x128', `icon is ${pngSize(manifest.icon).join('x')}, not 128x128`);
  expect(manifest.publisher && manifest.publisher !== manifest.name, `publisher "${manifest.publisher}" is the extension's own name`);
  expect(/^https:\/\//.test(manifest.repository?.url ?? ''), 'repository.url is missing');
  expect(/^https:\/\//.test(manifest.bugs?.url ?? ''), 'bugs.url is missing');
  expect(/^https:\/\//.test(manifest.homepage ?? ''), 'homepage is missing');
  expect(!manifest.private, 'a private package cannot be published to npm');
  expect(existsSync('CHANGELOG.md') && /^## \[/m.test(readFileSync('CHANGELOG.md', 'utf8')), 'CHANGELOG.md has no version sections');
});
check('README: the two commands first (the CI contract), then pictures that exist', () => {
  const readme = readFileSync('README.md', 'utf8');
  const first = /```bash\n([\s\S]*?)```/.exec(readme)?.[1].split('\n').filter(Boolean).map((l) => l.split('#')[0].trim());
  expect(JSON.stringify(first) === JSON.stringify(['bash scripts/demo.sh', 'bash scripts/test.sh']), `README's first commands are ${JSON.stringify(first)}`);
  const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  expect(pictures.length >= 5, `README shows ${pictures.length} pictures`);
  for (const picture of pictures) expect(existsSync(picture), `README shows ${picture}, which does not exist`);
});
check('.exrunbook files have a file icon of their own', () => {
  const language = manifest.contributes.languages.find((l) => l.id === 'exchange-runbook');
  for (const theme of ['light', 'dark']) expect(existsSync(language.icon?.[theme] ?? '-'), `languages[].icon.${theme} is missing`);
});
check('vsce package builds the production bundles first (vscode:prepublish)', () => {
  expect(/build:production/.test(manifest.scripts['vscode:prepublish'] ?? ''), 'no vscode:prepublish running the production build');
});

const folder = mkdtempSync(join(tmpdir(), 'exr-package-'));
try {
  check('vsce package writes a small .vsix from minified bundles without source maps', () => {
    const vsix = join(folder, 'exchange-health-runbooks.vsix');
    // No --no-dependencies prompt, no missing-repository prompt: as a user would type it.
    const result = spawnSync('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '-o', vsix], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(result.status === 0, `vsce package failed: ${result.stderr || result.stdout}`);
    const size = statSync(vsix).size;
    expect(size > 100_000 && size < 3_000_000, `${vsix} is ${size} bytes`);
    const client = readFileSync('dist/client.js', 'utf8');
    expect(!client.includes('sourceMappingURL'), 'dist/client.js points at a source map');
    // esbuild marks each source module with a `// client/src/…` comment unless it minifies.
    expect(!/^\/\/ (client|server)\/src\//m.test(client), 'dist/client.js is not minified');
    expect(!readdirSync('dist').some((f) => f.endsWith('.map')), 'dist/ holds source maps');
  });

  const listed = vsce('ls', '--no-dependencies').split('\n').map((l) => l.trim()).filter(Boolean);
  check('the .vsix carries the bundles, both .wasm files, grammar, translations, icons, the example and manifest', () => {
    const missing = REQUIRED.filter((f) => !listed.includes(f));
    expect(!missing.length, `missing: ${missing.join(', ')}`);
  });
  check('the .vsix carries every picture the walkthrough shows', () => {
    const media = manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.image ?? s.media.svg ?? s.media.markdown));
    const missing = media.filter((m) => !listed.includes(m));
    expect(media.length >= 5 && !missing.length, `missing: ${missing.join(', ')}`);
  });
  check('the .vsix carries nothing else (no linter bundle, sources, tests, source maps, node_modules, screenshots)', () => {
    const extra = listed.filter((f) => !ALLOWED.test(f));
    expect(!extra.length, `not on the allowlist: ${extra.slice(0, 20).join(', ')}`);
    expect(!listed.includes('dist/lint.js'), 'dist/lint.js (the command-line linter) rides along unused');
  });
  let packed = [];
  check('the npm package carries the command line only: bins, bundles, both .wasm files, the simulator', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    packed = JSON.parse(out)[0].files.map((f) => f.path).sort();
    expect(JSON.stringify(packed) === JSON.stringify([...NPM_FILES, ...SIMULATOR_FILES].sort()), `npm pack lists ${packed.join(', ')}`);
    expect(manifest.bin?.['exchange-runbook-lint'] === './bin/exchange-runbook-lint.js', 'bin exchange-runbook-lint is not declared');
    expect(manifest.bin?.['exchange-runbook'] === './bin/exchange-runbook.js', 'bin exchange-runbook is not declared');
    expect(!manifest.dependencies || Object.keys(manifest.dependencies).length === 0, 'the bundles are self-contained: no runtime dependencies to install');
  });
  check('npm install -g of the packed linter gives a working exchange-runbook-lint', () => {
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop();
    const prefix = join(folder, 'prefix');
    execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(folder, tarball)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const bin = join(prefix, 'bin', 'exchange-runbook-lint');
    const clean = spawnSync(bin, ['examples'], { encoding: 'utf8' });
    expect(clean.status === 0 && /3 runbooks checked: 0 errors/.test(clean.stdout), `examples: exit ${clean.status} ${clean.stdout}${clean.stderr}`);
    const seed = spawnSync(bin, ['--format', 'sarif', 'server/test/fixtures'], { encoding: 'utf8' });
    expect(seed.status === 1 && JSON.parse(seed.stdout).runs[0].results.length > 0, `a broken runbook: exit ${seed.status} ${seed.stderr}`);
  });
} finally {
  rmSync(folder, { recursive: true, force: true });
}
console.log(`package: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
