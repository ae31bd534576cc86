// Generates realistic, valid runbooks of a given size for the benchmarks, and the equivalent YAML
// document (bench/yaml/runbook.schema.json) for the comparison with yaml-language-server.
//
// The runbook follows the POP health set topics: a header with POP, POP.Protocol and POP.Proxy and
// their parameters, a "verify the issue still exists" procedure, then repeating groups of
// recovery procedures (proxy/CTP service checks, a Mailbox server failover and restart, protocol
// logging on and off, a role branch for AverageCommandProcessingTimeGt60sMonitor) and diagnostics
// procedures reached from them. Numbers, services, databases, columns, log folders, waits and step
// ids vary from group to group, so most commands are distinct text and the PowerShell parse cache
// only helps where a real runbook repeats itself.
//
// Usage: node bench/generate.mjs [lines=10000] [--yaml] > file
import { fileURLToPath } from 'node:url';

/** Deterministic PRNG (mulberry32), so every run measures the same documents. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER = {
  id: 'pop-bench',
  title: 'Troubleshooting the POP health sets',
  healthSets: ['POP', 'POP.Protocol', 'POP.Proxy'],
  params: [
    { name: 'Server', kind: 'server', description: 'Server named in the alert' },
    { name: 'Cas', kind: 'cas', description: 'Client Access server that serves POP3 clients' },
    { name: 'Mailbox', kind: 'mailbox', description: 'Mailbox server that hosts the POP3 back end' },
    { name: 'Target', kind: 'mailbox', description: 'Mailbox server that takes the active copies' },
    { name: 'LogPath', kind: 'text', description: 'Folder for the POP3 protocol logs', defaultValue: 'C:\\PopLogs' },
    { name: 'Tail', kind: 'number', description: 'How many log lines to read', defaultValue: '500' },
  ],
  sources: [
    'https://learn.microsoft.com/en-us/exchange/troubleshoot-pop-health-set',
    'https://learn.microsoft.com/en-us/exchange/pop-protocol-health-set',
    'https://learn.microsoft.com/en-us/exchange/pop-proxy-health-set',
  ],
};

const run = (...lines) => ({ kind: 'run', lines });
const wait = (amount, unit) => ({ kind: 'wait', amount, unit });
const manual = (text) => ({ kind: 'manual', text });
const ask = (text) => ({ kind: 'ask', text });
const escalateAction = (text) => ({ kind: 'escalate', text });
const toStep = (ref) => ({ kind: 'step', ref });
const resolved = (reason) => ({ kind: 'resolved', reason });
const escalateTarget = (reason) => ({ kind: 'escalate', reason });
const when = (condition, target) => ({ kind: 'when', condition, target });
const otherwise = (target) => ({ kind: 'otherwise', target });
const prop = (property, values, quantifier, negated = false) => ({ type: 'property', property, values, quantifier, negated });
const answer = (value) => ({ type: 'answer', value });
const role = (param, r) => ({ type: 'role', param, role: r });

function verifyProcedure() {
  return {
    comment: 'Verify first: most alerts clear on their own once the probe succeeds again.',
    id: 'verify',
    title: 'Verify the issue still exists',
    monitors: [],
    steps: [
      {
        id: 'health',
        title: 'Check the state of the POP health set',
        actions: [run('Get-ServerHealth -Identity $Server | ?{$_.HealthSetName -eq "POP"}')],
        branches: [when(prop('AlertValue', ['Healthy'], 'all'), resolved('The health set recovered on its own'))],
      },
      {
        id: 'protocol',
        title: 'Check the POP.Protocol and POP.Proxy health sets',
        actions: [
          run(
            'Get-ServerHealth -Identity $Server |',
            '  ?{$_.HealthSetName -like "POP.*" -and $_.AlertValue -ne "Healthy"} |',
            `  Format-Table Name, HealthSetName, AlertValue, LastTransitionTime -AutoSize`,
          ),
        ],
        branches: [],
      },
      {
        id: 'rerun',
        title: 'Re-run the customer touch point probe',
        actions: [run(`Invoke-MonitoringProbe POP\\PopCTPProbe -Server $Server | Format-List ResultType, Error, Exception, ExecutionEndTime`)],
        branches: [
          when(prop('ResultType', ['Succeeded'], undefined), resolved('The failure was transient')),
          when(role('Server', 'mailbox'), toStep('rerun-deep')),
          otherwise(toStep('rerun-proxy')),
        ],
      },
      {
        id: 'rerun-deep',
        title: 'Re-run the POP3 back-end probe',
        actions: [run(`Invoke-MonitoringProbe POP.Protocol\\PopDeepTestProbe -Server $Server | Format-List ResultType, Error, Exception`)],
        branches: [when(prop('ResultType', ['Succeeded'], undefined), resolved('The back end answers again')), otherwise(toStep('recover-deep-1'))],
      },
      {
        id: 'rerun-proxy',
        title: 'Re-run the POP3 proxy probe',
        actions: [run(`Invoke-MonitoringProbe POP.Proxy\\PopProxyTestProbe -Server $Server | Format-List ResultType, Error, Exception`)],
        branches: [when(prop('ResultType', ['Succeeded'], undefined), resolved('The proxy answers again')), otherwise(toStep('recover-proxy-1'))],
      },
    ],
  };
}

// Property lists are written as people write them, bare words (`Format-Table Name, Status`).
// tree-sitter-powershell has no bare-word lists, so these commands take the server's fallback (a
// second parse with the list commas blanked out): the common case, measured as it is.
const FT_SERVICE = ['Name, Status, StartType', 'Name, DisplayName, Status', 'Status, Name, ServiceName, MachineName', 'Name, Status, CanStop, StartType'];
const FT_COPY = [
  'Name, Status, CopyQueueLength, ReplayQueueLength, ContentIndexState',
  'Name, Status, ActiveDatabaseCopy, LastInspectedLogTime',
  'DatabaseName, Status, MailboxServer, ActivationSuspended',
  'Name, Status, ErrorMessage, ErrorEventId',
];
const FL_PROBE = ['ResultType, Error, Exception', 'ResultType, ExecutionStartTime, ExecutionEndTime, Error', 'ResultName, ResultType, FailureContext', 'ResultType, Error, ExecutionContext'];
const FL_POP = ['ProtocolLogEnabled, LogFileLocation, LoginType', 'ProtocolLogEnabled, LogFileLocation, LogFileRollOverSettings, LogPerFileSizeQuota', 'Server, ProtocolLogEnabled, MaxConnections, MaxConnectionsPerUser', 'ProtocolLogEnabled, LogFileLocation, AuthenticatedConnectionTimeout'];
const CAS_SERVICES = ['MSExchangePOP3', 'MSExchangePOP3', 'MSExchangePOP3', 'MSExchangeADTopology', 'MSExchangeHM', 'MSExchangeDiagnostics', 'W3SVC', 'WinRM'];
const MBX_SERVICES = ['MSExchangePOP3BE', 'MSExchangePOP3BE', 'MSExchangeIS', 'MSExchangeRepl', 'MSExchangeHM', 'MSExchangeADTopology', 'MSExchangeServiceHost', 'MSExchangeMitigation'];
const REQUESTERS = ['HealthApi', 'Functional', 'Maintenance'];
const WAITS = [
  [1, 'minutes'],
  [2, 'minutes'],
  [3, 'minutes'],
  [5, 'minutes'],
  [10, 'minutes'],
  [15, 'minutes'],
  [30, 'seconds'],
  [90, 'seconds'],
  [2, 'hours'],
];
const SYN = {
  check: ['check', 'inspect', 'service', 'look', 'state'],
  start: ['start', 'start-service', 'bring-up', 'kick'],
  restart: ['restart', 'recycle', 'bounce', 'restart-pop3'],
  again: ['again', 'rerun', 'retest', 'probe-again'],
  escalate: ['escalate', 'support', 'hand-over', 'tier2'],
};

/** One group of procedures, numbered `g`: five procedures covering all POP monitors. */
function group(g, rnd) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const num = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const w = () => wait(...pick(WAITS));
  const id = (kind) => `${pick(SYN[kind])}${rnd() < 0.5 ? '' : '-' + num(1, 9)}`;
  const db = () => `DB${String(num(1, 80)).padStart(2, '0')}`;
  const casParam = g % 3 === 0 ? 'Server' : 'Cas';
  const cas = '$' + casParam;
  const mbx = '$Mailbox';
  const casSvc = g % 2 ? 'MSExchangePOP3' : pick(CAS_SERVICES);
  const mbxSvc = g % 2 ? 'MSExchangePOP3BE' : pick(MBX_SERVICES);
  const diag = `diagnose-${g}`;
  const timeout = num(30, 600);
  // Optional common parameters, as people add them: more distinct command texts, still valid.
  const opt = () => (rnd() < 0.3 ? ' -ErrorAction Stop' : rnd() < 0.15 ? ' -Verbose' : '');
  const dc = () => (rnd() < 0.35 ? ` -DomainController dc${num(1, 12)}.corp.example.net` : '');

  const proxyMonitor = g % 2 ? 'PopCTPMonitor' : 'PopProxyTestMonitor';
  const proxyRerun = g % 2 ? 'verify.rerun' : 'verify.rerun-proxy';
  const [chk, st, rs, ag, es] = [id('check'), id('start'), id('restart'), id('again'), id('escalate')];
  const proxy = {
    comment: `Group ${g}: the POP3 proxy on the Client Access server (${proxyMonitor}).`,
    id: `recover-proxy-${g}`,
    title: `${proxyMonitor} recovery (${casSvc}, group ${g})`,
    monitors: [proxyMonitor],
    steps: [
      {
        id: chk,
        title: `Check ${casSvc} on the Client Access server`,
        actions: [run(`Invoke-Command -ComputerName ${cas} { Get-Service ${casSvc} | Select-Object ${pick(FT_SERVICE)} }`)],
        branches: [when(prop('Status', ['Running'], undefined), toStep('component'))],
      },
      { id: st, title: `Start ${casSvc}`, actions: [run(`Invoke-Command -ComputerName ${cas} { Start-Service ${casSvc} }`), w()], branches: [] },
      {
        id: 'component',
        title: 'Check the PopProxy component state',
        actions: [run(`Get-ServerComponentState -Identity ${cas} -Component PopProxy${dc()} | Format-List Component, State, LocalStates, RemoteStates`)],
        branches: [when(prop('State', ['Inactive', 'Draining'], undefined), toStep('activate')), otherwise(toStep(rs))],
      },
      {
        id: 'activate',
        title: 'Bring the PopProxy component back into service',
        confirm: true,
        actions: [run(`Set-ServerComponentState -Identity ${cas} -Component PopProxy -State Active -Requester ${pick(REQUESTERS)} -TimeoutInSeconds ${num(30, 300)}`), w()],
        branches: [],
      },
      {
        id: rs,
        title: `Restart ${casSvc} on the Client Access server`,
        confirm: true,
        actions: [run(`Invoke-Command -ComputerName ${cas} { Restart-Service ${casSvc} -Force }`), w()],
        branches: [],
      },
      { id: ag, reuse: proxyRerun, branches: [when(prop('ResultType', ['Succeeded'], undefined), resolved(`${casSvc} serves POP3 again`))] },
      {
        id: 'logs',
        title: 'Read the POP3 protocol log',
        actions: [
          manual(`Open the newest POP3 log under ${num(1, 2) === 1 ? 'the LogFileLocation folder' : 'the POP3 log folder'} on the Client Access server and look for failed LOGIN commands (group ${g})`),
          ask('Do the logs show authentication failures?'),
        ],
        branches: [when(answer('yes'), toStep(diag))],
      },
      { id: es, title: 'Escalate', actions: [escalateAction(`Contact Microsoft Support with the output of Invoke-MonitoringProbe and the POP3 log (group ${g})`)], branches: [] },
    ],
  };

  const deepMonitor = g % 2 ? 'PopSelfTestMonitor' : 'PopDeepTestMonitor';
  const d = { bk: id('check'), st: id('start'), ag: id('again'), es: id('escalate') };
  const grouped = rnd() < 0.4;
  const database = db();
  const copyCheck = grouped
    ? run(`Get-MailboxDatabaseCopyStatus -Server ${mbx}${opt()} | Group-Object Status`)
    : run(`Get-MailboxDatabaseCopyStatus -Server ${mbx}${opt()} |`, `  Sort-Object Name |`, `  Format-Table ${pick(FT_COPY)} -AutoSize`);
  const deep = {
    comment: `Group ${g}: the POP3 back end on the Mailbox server (${deepMonitor}); the server is restarted only after a failover.`,
    id: `recover-deep-${g}`,
    title: `${deepMonitor} recovery (${mbxSvc}, group ${g})`,
    monitors: [deepMonitor],
    steps: [
      {
        id: d.bk,
        title: 'Check the POP3 back-end services',
        actions: [run(`Invoke-Command -ComputerName ${mbx} { Get-Service ${mbxSvc}, ${mbxSvc === 'MSExchangeIS' ? 'MSExchangeRepl' : 'MSExchangeIS'} | Format-Table ${pick(FT_SERVICE)} -AutoSize }`)],
        branches: [when(prop('Status', ['Running'], 'all'), toStep('failover'))],
      },
      { id: d.st, title: `Start ${mbxSvc}`, actions: [run(`Invoke-Command -ComputerName ${mbx} { Start-Service ${mbxSvc} -PassThru }`), w()], branches: [] },
      { id: d.ag, reuse: 'verify.rerun-deep', branches: [when(prop('ResultType', ['Succeeded'], undefined), resolved(`${mbxSvc} was stopped`))] },
      {
        id: 'failover',
        title: 'Move the active databases off the server',
        confirm: true,
        actions: [run(`Set-MailboxServer -Identity ${mbx} -DatabaseCopyActivationDisabledAndMoveNow $true${dc()}`), w()],
        branches: [],
      },
      {
        id: 'copies',
        title: 'Check that the server holds no active copy',
        actions: [copyCheck],
        branches: [
          when(prop(grouped ? 'Name' : 'Status', ['Mounted', 'Mounting', 'Dismounted', 'Dismounting'], 'no'), toStep('reboot')),
          otherwise(toStep('move')),
        ],
      },
      {
        id: 'move',
        title: `Move ${database} by hand`,
        confirm: true,
        actions: [run(`Move-ActiveMailboxDatabase ${database} -ActivateOnServer $Target -MountDialOverride ${pick(['None', 'GoodAvailability', 'BestAvailability', 'Lossless'])} -MoveComment "POP3 recovery, group ${g}"`)],
        branches: [otherwise(toStep('copies'))],
      },
      {
        id: 'reboot',
        title: 'Restart the Mailbox server',
        confirm: true,
        actions: [run(`Restart-Computer -ComputerName ${mbx} -Force -Wait -For PowerShell -Timeout ${num(300, 1800)}`), w()],
        branches: [],
      },
      {
        id: 'failback',
        title: 'Let the server host active databases again',
        actions: [run(`Set-MailboxServer -Identity ${mbx} -DatabaseCopyActivationDisabledAndMoveNow $false${dc()}`)],
        branches: [],
      },
      { id: 'recheck', reuse: 'verify.rerun-deep', branches: [when(prop('ResultType', ['Succeeded'], undefined), resolved('The restart fixed the back end'))] },
      { id: d.es, title: 'Escalate', actions: [escalateAction(`Contact Microsoft Support: ${deepMonitor} stays unhealthy after a restart (group ${g})`)], branches: [] },
    ],
  };

  const folder = `case${g}-${num(100, 999)}`;
  const logging = {
    comment: `Group ${g}: protocol logging is switched on to find slow commands, and off again on every path.`,
    id: `collect-logs-${g}`,
    title: `PopCTPMonitor recovery with protocol logging (group ${g})`,
    monitors: ['PopCTPMonitor'],
    steps: [
      {
        id: 'settings',
        title: 'Read the POP3 settings',
        actions: [run(`Get-PopSettings -Server ${cas}${dc()} | Format-List ${pick(FL_POP)}`)],
        branches: [when(prop('ProtocolLogEnabled', ['True'], undefined), toStep('reproduce'))],
      },
      {
        id: 'logon',
        title: 'Turn on POP3 protocol logging',
        confirm: true,
        actions: [
          run(`Set-PopSettings -Server ${cas} -ProtocolLogEnabled $true -LogFileLocation "$LogPath\\${folder}" -LogFileRollOverSettings ${pick(['Hourly', 'Daily'])}`),
          run(`Invoke-Command -ComputerName ${cas} { Restart-Service MSExchangePOP3 }`),
        ],
        branches: [],
      },
      {
        id: 'reproduce',
        title: 'Reproduce the issue',
        actions: [manual('Sign in with a POP3 client and download a few messages; note the time'), w()],
        branches: [],
      },
      {
        id: 'read',
        title: 'Look for slow commands in the log',
        actions: [
          run(`Get-ChildItem "$LogPath\\${folder}" -Filter *.LOG | Sort-Object LastWriteTime -Descending | Select-Object -First ${num(1, 5)} | Get-Content -Tail $Tail | Select-String "${pick(['RETR', 'LIST', 'UIDL', 'STAT', 'TOP'])}"`),
          ask('Do commands take more than 60 seconds?'),
        ],
        branches: [when(answer('yes'), toStep('slow'))],
      },
      { id: 'logoff', title: 'Turn protocol logging off', actions: [run(`Set-PopSettings -Server ${cas} -ProtocolLogEnabled $false${dc()}`)], branches: [] },
      { id: 'again', reuse: 'verify.rerun', branches: [when(prop('ResultType', ['Succeeded'], undefined), resolved()), otherwise(toStep('escalate'))] },
      {
        id: 'slow',
        title: 'Turn logging off before handing over',
        actions: [run(`Set-PopSettings -Server ${cas} -ProtocolLogEnabled $false${dc()}`), manual(`Copy the log files from the ${folder} folder to the case`)],
        branches: [],
      },
      { id: 'escalate', title: 'Escalate', actions: [escalateAction('Contact Microsoft Support with the POP3 protocol log')], branches: [] },
    ],
  };

  const slow = {
    comment: `Group ${g}: AverageCommandProcessingTimeGt60sMonitor can be raised on either role.`,
    id: `recover-slow-${g}`,
    title: `AverageCommandProcessingTimeGt60sMonitor recovery (group ${g})`,
    monitors: ['AverageCommandProcessingTimeGt60sMonitor'],
    steps: [
      {
        id: 'role',
        title: 'Which role raised the alert?',
        actions: [run(`Get-ExchangeServer -Identity $Server${opt()} | Format-List Name, ServerRole, AdminDisplayVersion, Site`)],
        branches: [when(role('Server', 'mailbox'), toStep('backend'))],
      },
      {
        id: 'frontend',
        title: 'Recycle POP3 on the Client Access server',
        confirm: true,
        actions: [run(`Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3 }`), w()],
        branches: [otherwise(toStep('again'))],
      },
      {
        id: 'backend',
        title: 'Recycle the POP3 back end on the Mailbox server',
        confirm: true,
        actions: [run(`Invoke-Command -ComputerName $Server { Restart-Service MSExchangePOP3BE; Get-Service MSExchangePOP3BE }`), w()],
        branches: [],
      },
      {
        id: 'again',
        title: 'Re-run the self test probe',
        actions: [run(`Invoke-MonitoringProbe POP.Protocol\\PopSelfTestProbe -Server $Server -TimeOutSeconds ${timeout} | Format-List ${pick(FL_PROBE)}`)],
        branches: [when(prop('ResultType', ['Succeeded'], undefined), resolved('Commands are fast again')), when(prop('ResultType', ['Timeout'], undefined), toStep(diag))],
      },
      { id: 'escalate', title: 'Escalate', actions: [escalateAction('Contact Microsoft Support with the probe result')], branches: [] },
    ],
  };

  const diagnose = {
    comment: `Group ${g}: diagnostics the recovery procedures branch to.`,
    id: diag,
    title: `Collect diagnostics for the POP health sets (group ${g})`,
    monitors: [],
    steps: [
      {
        id: 'report',
        title: 'Health report',
        actions: [run(`Get-HealthReport -Identity $Server -HealthSet ${pick(HEADER.healthSets)}${opt()} | Format-Table HealthSet, AlertValue, State, LastTransitionTime -AutoSize`)],
        branches: [when(prop('AlertValue', ['Unhealthy', 'Degraded'], 'any'), toStep('items')), otherwise(resolved('Nothing is unhealthy any more'))],
      },
      {
        id: 'items',
        title: 'List the monitors of the health set',
        actions: [run(`Get-MonitoringItemIdentity -Identity ${pick(HEADER.healthSets)} -Server $Server | Where-Object ItemType -eq Monitor | Format-Table Name, TargetResource`)],
        branches: [],
      },
      {
        id: 'help',
        title: "Read the monitor's help",
        actions: [
          run(`Get-MonitoringItemHelp -Identity ${pick(['POP.Protocol\\PopSelfTestMonitor', 'POP.Protocol\\PopDeepTestMonitor', 'POP.Proxy\\PopProxyTestMonitor', 'POP\\PopCTPMonitor'])} -Server $Server | Format-List`),
          manual('Compare the probe error with the causes the help lists'),
        ],
        branches: [],
      },
      {
        id: 'connectivity',
        title: 'Test POP3 connectivity end to end',
        actions: [run(`Test-PopConnectivity -ClientAccessServer ${cas} -MailboxServer ${mbx} -ConnectionType ${pick(['Ssl', 'Tls', 'Plaintext'])} -TrustAnySSLCertificate -PerConnectionTimeout ${num(10, 120)}`)],
        branches: [when(prop('Result', ['Success'], 'all'), resolved('POP3 works end to end')), when(prop('Result', ['Failure'], 'any'), escalateTarget('Test-PopConnectivity fails'))],
      },
      { id: 'settle', title: 'Give the monitor time to re-evaluate', actions: [w(), manual('Watch the health set in the health view')], branches: [] },
    ],
  };

  return [proxy, deep, logging, slow, diagnose];
}

/** The runbook as plain data; both emitters read it. */
export function buildRunbook(targetLines, seed = 20240501) {
  const rnd = prng(seed + targetLines);
  const runbook = { ...HEADER, procedures: [verifyProcedure()] };
  let lines = emitRunbook(runbook).split('\n').length;
  for (let g = 1; lines < targetLines; g++) {
    const procedures = group(g, rnd);
    runbook.procedures.push(...procedures);
    lines += emitRunbook({ ...HEADER, procedures }).split('\n').length - emitRunbook({ ...HEADER, procedures: [] }).split('\n').length;
  }
  return runbook;
}

// ---- the runbook language -----------------------------------------------------------------------

const quote = (s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

function targetText(target) {
  if (target.kind === 'step') return target.ref;
  return target.reason ? `${target.kind} ${quote(target.reason)}` : target.kind;
}

function conditionText(c) {
  if (c.type === 'answer') return `answer is ${c.value}`;
  if (c.type === 'role') return `$${c.param} is ${c.role}`;
  return `${c.quantifier ? c.quantifier + ' ' : ''}${c.property} is ${c.negated ? 'not ' : ''}${c.values.join(', ')}`;
}

export function emitRunbook(runbook) {
  const out = [];
  out.push('# Generated by bench/generate.mjs: a long POP runbook for the benchmarks.');
  out.push(`runbook ${runbook.id} ${quote(runbook.title)}`);
  out.push(`  healthset ${runbook.healthSets.join(', ')}`);
  for (const p of runbook.params) out.push(`  param $${p.name}: ${p.kind} ${quote(p.description)}${p.defaultValue ? ' = ' + quote(p.defaultValue) : ''}`);
  for (const s of runbook.sources) out.push(`  source ${quote(s)}`);
  for (const procedure of runbook.procedures) {
    out.push('');
    if (procedure.comment) out.push(`# ${procedure.comment}`);
    out.push(`procedure ${procedure.id} ${quote(procedure.title)}${procedure.monitors.length ? ' for monitor ' + procedure.monitors.join(', ') : ''}`);
    for (const step of procedure.steps) {
      if (step.reuse) out.push(`  step ${step.id} = ${step.reuse}${step.confirm ? ' confirm' : ''}`);
      else out.push(`  step ${step.id} ${quote(step.title)}${step.confirm ? ' confirm' : ''}`);
      for (const action of step.actions ?? []) {
        if (action.kind === 'run') {
          out.push(`    run ${action.lines[0]}`);
          for (const more of action.lines.slice(1)) out.push(`        ${more}`);
        } else if (action.kind === 'wait') out.push(`    wait ${action.amount} ${action.unit}`);
        else out.push(`    ${action.kind} ${quote(action.text)}`);
      }
      for (const branch of step.branches) {
        if (branch.kind === 'otherwise') out.push(`    otherwise -> ${targetText(branch.target)}`);
        else out.push(`    when ${conditionText(branch.condition)} -> ${targetText(branch.target)}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

// ---- the equivalent YAML ------------------------------------------------------------------------

const yq = (s) => "'" + s.replace(/'/g, "''") + "'";
/** A plain scalar unless YAML would read it as something other than a string (True, 1, null). */
const yamlScalar = (s) => (/^(true|false|yes|no|on|off|null|~|[-+]?\d[\d.]*)$/i.test(s) ? yq(s) : s);

function yamlTarget(target, indent, out) {
  out.push(`${indent}goto: ${target.kind === 'step' ? target.ref : target.kind}`);
  if (target.reason) out.push(`${indent}reason: ${yq(target.reason)}`);
}

export function emitYaml(runbook) {
  const out = [];
  out.push('# Generated by bench/generate.mjs: the YAML equivalent of the benchmark runbook.');
  out.push(`runbook: ${runbook.id}`);
  out.push(`title: ${yq(runbook.title)}`);
  out.push('healthsets:');
  for (const h of runbook.healthSets) out.push(`  - ${h}`);
  out.push('params:');
  for (const p of runbook.params) {
    out.push(`  - name: ${p.name}`, `    kind: ${p.kind}`, `    description: ${yq(p.description)}`);
    if (p.defaultValue) out.push(`    default: ${yq(p.defaultValue)}`);
  }
  out.push('sources:');
  for (const s of runbook.sources) out.push(`  - ${yq(s)}`);
  out.push('procedures:');
  for (const procedure of runbook.procedures) {
    if (procedure.comment) out.push(`  # ${procedure.comment}`);
    out.push(`  - id: ${procedure.id}`, `    title: ${yq(procedure.title)}`);
    if (procedure.monitors.length) out.push(`    monitors: [${procedure.monitors.join(', ')}]`);
    out.push('    steps:');
    for (const step of procedure.steps) {
      out.push(`      - id: ${step.id}`);
      if (step.reuse) out.push(`        reuse: ${step.reuse}`);
      else out.push(`        title: ${yq(step.title)}`);
      if (step.confirm) out.push('        confirm: true');
      if (step.actions?.length) {
        out.push('        actions:');
        for (const action of step.actions) {
          if (action.kind === 'run') {
            if (action.lines.length === 1) out.push(`          - run: ${yq(action.lines[0])}`);
            else {
              out.push('          - run: |-');
              for (const line of action.lines) out.push(`              ${line}`);
            }
          } else if (action.kind === 'wait') out.push('          - wait:', `              amount: ${action.amount}`, `              unit: ${action.unit}`);
          else out.push(`          - ${action.kind}: ${yq(action.text)}`);
        }
      }
      const whens = step.branches.filter((b) => b.kind === 'when');
      if (whens.length) {
        out.push('        when:');
        for (const { condition: c, target } of whens) {
          if (c.type === 'answer') out.push(`          - answer: '${c.value}'`);
          else if (c.type === 'role') out.push(`          - param: $${c.param}`, `            role: ${c.role}`);
          else {
            out.push(`          - property: ${c.property}`);
            if (c.quantifier) out.push(`            quantifier: ${c.quantifier}`);
            if (c.negated) out.push('            not: true');
            out.push(`            is: [${c.values.map(yamlScalar).join(', ')}]`);
          }
          yamlTarget(target, '            ', out);
        }
      }
      const other = step.branches.find((b) => b.kind === 'otherwise');
      if (other) {
        out.push('        otherwise:');
        yamlTarget(other.target, '          ', out);
      }
    }
  }
  return out.join('\n') + '\n';
}

/** Counts for the report: lines, procedures, steps, run commands and how many are distinct. */
export function describe(runbook, text) {
  const commands = [];
  let steps = 0;
  for (const p of runbook.procedures) {
    for (const s of p.steps) {
      steps++;
      for (const a of s.actions ?? []) if (a.kind === 'run') commands.push(a.lines.join('\n'));
    }
  }
  return { lines: text.split('\n').length - 1, procedures: runbook.procedures.length, steps, runCommands: commands.length, distinctCommands: new Set(commands).size };
}

export function generate(targetLines, seed) {
  const runbook = buildRunbook(targetLines, seed);
  const text = emitRunbook(runbook);
  const yaml = emitYaml(runbook);
  return { text, yaml, stats: { ...describe(runbook, text), yamlLines: yaml.split('\n').length - 1 } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lines = Number(process.argv[2] ?? 10000);
  const { text, yaml, stats } = generate(lines);
  process.stdout.write(process.argv.includes('--yaml') ? yaml : text);
  process.stderr.write(JSON.stringify(stats) + '\n');
}
