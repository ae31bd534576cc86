// Runs the compiled unit tests (out/**/test/**/*.test.js) with node's test runner, prints node's
// spec report and a plain closing line `unit: N passed, N failed`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runNodeTests } from './lib/node-tests.mjs';

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
await runNodeTests({ name: 'unit', files, concurrency: 2, timeout: 300_000 });
