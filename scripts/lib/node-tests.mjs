// Runs compiled test files with node's test runner: node's spec report, then the plain closing
// line `<name>: N passed, N failed` that scripts/test.sh counts. Shared by the unit and rehearsal runners.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

export async function runNodeTests({ name, files, concurrency, timeout }) {
  let passed = 0;
  let failed = 0;
  const stream = run({ files, concurrency, timeout });
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
  console.log(`${name}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
