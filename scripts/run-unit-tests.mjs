// Runs the compiled unit tests (out/**/test/**/*.test.js) with node's test runner, prints node's
// spec report and a plain closing line `unit: N passed, N failed`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

function find(folder) {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? find(join(folder, e.name)) : e.name.endsWith('.test.js') ? [join(folder, e.name)] : []));
}

const filter = process.argv[2];
const files = [...find('out/server/test'), ...find('out/client/test/unit')].filter((f) => !filter || f.includes(filter)).sort();
if (files.length === 0) {
  console.error('No compiled unit tests found: run `npm run compile-tests` first.');
  process.exit(1);
}
let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: 2, timeout: 300_000 });
stream.on('test:pass', (event) => {
  if (event.details?.type !== 'suite') passed++;
});
stream.on('test:fail', (event) => {
  if (event.details?.type !== 'suite') failed++;
});
stream.compose(spec).pipe(process.stdout);
await new Promise((resolve) => stream.on('end', resolve));
// Let the spec reporter flush before the summary.
await new Promise((resolve) => setImmediate(resolve));
console.log(`unit: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
