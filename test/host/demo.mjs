// The demo (scripts/demo.sh builds and packages first): installs the packaged extension into a
// demo profile of code-server, opens a copy of examples/, and serves it on 127.0.0.1 until Ctrl+C.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { VSCODE_TEST_DIR, codeServerCli, createWorkspace, log, profileFolders, startCodeServer } from './codeServer.mjs';

const vsix = process.argv[2] ?? join(VSCODE_TEST_DIR, 'exchange-health-runbooks.vsix');
if (!existsSync(vsix)) {
  log(`demo: ${vsix} is missing: run \`bash scripts/demo.sh\`, which packages the extension first.`);
  process.exit(1);
}

const dir = join(VSCODE_TEST_DIR, 'demo');
const run = profileFolders(dir, 'exr-demo-');

log(`demo: installing ${vsix}`);
codeServerCli(run, ['--force', '--install-extension', vsix]);
// The demo opens on the simulator with a scenario running, so the health view shows a real
// incident at once: PopDeepTestMonitor Unhealthy on EX-MBX01.
const workspace = createWorkspace(join(dir, 'workspace'), {
  fixtures: false,
  settings: {
    'exchangeRunbooks.connection.mode': 'simulator',
    'exchangeRunbooks.simulator.scenario': process.env.SCENARIO || 'pop3-backend-hung',
    'exchangeRunbooks.simulator.statePath': join(dir, 'simulator-state.json'),
    'exchangeRunbooks.health.pollIntervalSeconds': 10,
  },
});
// A fresh world each time the demo starts.
rmSync(join(dir, 'simulator-state.json'), { force: true });

const port = Number(process.env.PORT || 8080);
let server;
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  log('demo: stopping code-server');
  await server?.stop();
  rmSync(run.tmp, { recursive: true, force: true });
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));

try {
  server = await startCodeServer(run, { port, logFile: join(dir, 'code-server.log') });
} catch (error) {
  log(`demo: code-server did not start on 127.0.0.1:${port}: ${error.message}`);
  log('demo: is the port taken? Choose another with PORT=8081 bash scripts/demo.sh');
  rmSync(run.tmp, { recursive: true, force: true });
  process.exit(1);
}
const address = `${server.url}/?folder=${encodeURI(workspace)}`;
log('');
log('demo: Exchange Health Runbooks is running in VS Code (code-server).');
log(`demo: Open ${address}`);
log('demo: the Exchange Health view (activity bar) shows the simulated organisation, with the');
log(`demo: scenario ${process.env.SCENARIO || 'pop3-backend-hung'} running (SCENARIO=… to choose another).`);
log('demo: open the recovery runbook from the unhealthy monitor, run its steps. Ctrl+C here stops.');
log(`demo: code-server log: ${server.logPath}`);
server.child.on('exit', (code) => {
  log(`demo: code-server exited (${code}); see ${server.logPath}`);
  void stop(1);
});
