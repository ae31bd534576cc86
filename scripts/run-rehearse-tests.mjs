// Runs the rehearsal tests (out/test/rehearse/*.test.js: the exchange-runbook rehearse CLI against
// real pwsh and the Exchange simulator) one file at a time, with node's spec report and a closing
// line `rehearse: N passed, N failed`. Separate from the unit suite: every rehearsal starts a pwsh
// (~1 s of CPU), which on a busy 2-core machine takes far longer than a unit test may.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runNodeTests } from './lib/node-tests.mjs';

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
// One file at a time: two rehearsals at once only compete for the same two cores.
await runNodeTests({ name: 'rehearse', files, concurrency: 1, timeout: 900_000 });
