// Runs the rehearsal tests (out/test/rehearse/*.test.js: the exchange-runbook rehearse CLI against
// real pwsh and the Exchange simulator) one file at a time, with node's spec report and a closing
// line `rehearse: N passed, N failed`. Separate from the unit suite: every rehearsal starts a pwsh
// (~1 s of CPU), which on a busy 2-core machine takes far longer than a unit test may.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const folder = join('out', 'test', 'rehearse');
const filter = process.argv[2];
let files = [];
try {
  files = readdirSync(folder)
    .filter((f) => f.endsWith('.test.js') && (!filter || f.includes(filter)))
    .sort()
    .map((f) => join(folder, f));
} catch {
  // reported below
}
if (files.length === 0) {
  console.error('No compiled rehearsal tests found: run `npm run compile-tests` first.');
  console.log('rehearse: 0 passed, 1 failed');
  process.exit(1);
}
let passed = 0;
let failed = 0;
// One file at a time: two rehearsals at once only compete for the same two cores.
const stream = run({ files, concurrency: 1, timeout: 900_000 });
stream.on('test:pass', (event) => {
  if (event.details?.type !== 'suite') passed++;
});
stream.on('test:fail', (event) => {
  if (event.details?.type !== 'suite') failed++;
});
stream.compose(spec).pipe(process.stdout);
await new Promise((resolve) => stream.on('end', resolve));
await new Promise((resolve) => setImmediate(resolve));
console.log(`rehearse: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
