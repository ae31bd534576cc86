#!/usr/bin/env node
// exchange-runbook <lint|rehearse> ...: the command line over the bundled language service and engine
// (npm run build makes dist/lint.js and dist/rehearse.js).
const [command, ...rest] = process.argv.slice(2);
const USAGE = `Usage: exchange-runbook lint [options] <file or folder>...
       exchange-runbook rehearse <runbook> --scenario <name> [options]
       exchange-runbook <command> --help`;

if (command === 'lint') {
  // The linter reads process.argv itself: drop the subcommand so it sees its own arguments.
  process.argv.splice(2, 1);
  require('../dist/lint.js');
} else if (command === 'rehearse') {
  require('../dist/rehearse.js')
    .main(rest, (s) => process.stdout.write(s), (s) => process.stderr.write(s))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error) => {
        process.stderr.write(`exchange-runbook rehearse failed: ${error && error.stack ? error.stack : String(error)}\n`);
        process.exitCode = 2;
      },
    );
} else if (command === '--help' || command === '-h') {
  process.stdout.write(USAGE + '\n');
} else {
  process.stderr.write((command ? `Unknown command ${command}.\n\n` : '') + USAGE + '\n');
  process.exitCode = 2;
}
