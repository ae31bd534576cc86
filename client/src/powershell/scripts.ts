// Every PowerShell script the extension sends to its session, as constants: values always arrive as
// parameters (never spliced into the text), and each must run on Windows PowerShell 5.1 as well as
// pwsh 7 (client/test/unit/powershell-compat.test.ts parses all of them and rejects 7-only syntax).

/**
 * Defined once per process (sent as one base64 line). `__ExrInvoke` runs one request: the script
 * and its JSON parameters arrive base64-encoded, so nothing a user typed is ever parsed as code;
 * every stream is captured and sorted; the answer is one line, a marker plus base64 UTF-8 JSON, so
 * neither the console code page nor terminal escape sequences can corrupt it.
 *
 * Parameter strings arrive with one leading character that `__ExrDecode` strips: pwsh 7's
 * ConvertFrom-Json turns ISO-looking strings into DateTime (5.1 has no -DateKind to stop it), and
 * the prefix keeps every string a string on both.
 */
export const BOOTSTRAP_SCRIPT = String.raw`
$ProgressPreference = 'SilentlyContinue'
# Windows PowerShell 5.1 serialises some arrays as {"value":[...],"Count":n} because of this type data.
if ($PSVersionTable.PSVersion.Major -lt 6) { Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue }

function global:__ExrDecode {
  param($Value)
  if ($null -eq $Value) { return $null }
  if ($Value -is [string]) { return $Value.Substring(1) }
  if ($Value -is [System.Collections.IList]) {
    $list = New-Object System.Collections.ArrayList
    foreach ($item in $Value) { [void]$list.Add((__ExrDecode $item)) }
    return ,$list.ToArray()
  }
  if ($Value.GetType().FullName -eq 'System.Management.Automation.PSCustomObject') {
    $table = @{}
    foreach ($property in $Value.PSObject.Properties) { $table[$property.Name] = __ExrDecode $property.Value }
    return $table
  }
  return $Value
}

function global:__ExrInvoke {
  param([string]$Id, [string]$Script, [int]$Depth, [string]$Params)
  $clock = [System.Diagnostics.Stopwatch]::StartNew()
  $utf8 = New-Object System.Text.UTF8Encoding($false)
  $ok = $true
  $all = New-Object System.Collections.ArrayList
  $output = New-Object System.Collections.ArrayList
  $errors = New-Object System.Collections.ArrayList
  $warnings = New-Object System.Collections.ArrayList
  $information = New-Object System.Collections.ArrayList
  try {
    $block = [scriptblock]::Create($utf8.GetString([Convert]::FromBase64String($Script)))
    $splat = @{}
    # 'e30=' is {} : most requests have no parameters, and ConvertFrom-Json is not free.
    if ($Params -and $Params -ne 'e30=') {
      $decoded = __ExrDecode (ConvertFrom-Json -InputObject $utf8.GetString([Convert]::FromBase64String($Params)))
      if ($decoded -is [hashtable]) { $splat = $decoded }
    }
    # Streamed into the list so that what ran before a terminating error is kept.
    & $block @splat 2>&1 3>&1 4>&1 5>&1 6>&1 | ForEach-Object { [void]$all.Add($_) }
  } catch {
    $ok = $false
    $exception = $_.Exception
    while ($exception -is [System.Management.Automation.MethodInvocationException] -and $null -ne $exception.InnerException) { $exception = $exception.InnerException }
    if ($exception -is [System.Management.Automation.ParseException]) { [void]$errors.Add($exception.Message) } else { [void]$errors.Add($_.ToString()) }
  }
  foreach ($item in $all) {
    if ($item -is [System.Management.Automation.ErrorRecord]) { [void]$errors.Add($item.ToString()) }
    elseif ($item -is [System.Management.Automation.WarningRecord]) { [void]$warnings.Add($item.Message) }
    elseif ($item -is [System.Management.Automation.VerboseRecord]) { [void]$information.Add('VERBOSE: ' + $item.Message) }
    elseif ($item -is [System.Management.Automation.DebugRecord]) { [void]$information.Add('DEBUG: ' + $item.Message) }
    elseif ($item -is [System.Management.Automation.InformationRecord]) { [void]$information.Add([string]$item.MessageData) }
    else { [void]$output.Add($item) }
  }
  $answer = @{ id = $Id; ok = $ok; output = $output; errors = $errors; warnings = $warnings; information = $information; ms = $clock.Elapsed.TotalMilliseconds }
  try {
    $json = ConvertTo-Json -InputObject $answer -Compress -Depth ($Depth + 2) -WarningAction SilentlyContinue -ErrorAction Stop
  } catch {
    # An object whose properties cannot be read: answer with its text rather than not at all.
    $text = New-Object System.Collections.ArrayList
    foreach ($item in $output) { [void]$text.Add([string]$item) }
    $answer.output = $text
    [void]$errors.Add('The output could not be converted to JSON: ' + $_.ToString())
    $json = ConvertTo-Json -InputObject $answer -Compress -Depth 3 -WarningAction SilentlyContinue
  }
  [Console]::Out.Write(([string][char]30) + 'EXR1 ' + $Id + ' ' + [Convert]::ToBase64String($utf8.GetBytes($json)) + [char]10)
}
`;

/** The first request of every process: who answers (the real pwsh's PID, for killing the tree). */
export const HELLO_SCRIPT = String.raw`
@{ pid = $PID; version = $PSVersionTable.PSVersion.ToString(); edition = [string]$PSVersionTable.PSEdition }
`;

/**
 * Simulator mode: the module is imported into the session, and remembered so that the poll's
 * runspaces import it too. EXCHANGE_SIMULATOR=1 and EXCHANGE_SIMULATOR_STATE come in the
 * process environment (the module refuses to load without the first).
 */
export const SIMULATOR_STARTUP_SCRIPT = String.raw`
param([string]$ModulePath)
Import-Module -Name $ModulePath -Global -DisableNameChecking -ErrorAction Stop
$global:ExrConnection = @{ Mode = 'simulator'; Fanout = 'runspaces'; Modules = @($ModulePath); SnapIns = @() }
`;

/**
 * Local mode (VS Code on an Exchange server). Windows PowerShell has the Exchange snap-in, which
 * runspaces can load too; pwsh 7 has no snap-ins, so it connects the way the Exchange Management
 * Shell does (RemoteExchange.ps1, implicit remoting to this server), and the poll goes serially
 * through that one remote session.
 */
export const LOCAL_STARTUP_SCRIPT = String.raw`
$snapIn = 'Microsoft.Exchange.Management.PowerShell.SnapIn'
if (Get-Command -Name Add-PSSnapin -ErrorAction SilentlyContinue) {
  if (-not (Get-PSSnapin -Name $snapIn -ErrorAction SilentlyContinue)) { Add-PSSnapin -Name $snapIn -ErrorAction Stop }
  $global:ExrConnection = @{ Mode = 'local'; Fanout = 'runspaces'; Modules = @(); SnapIns = @($snapIn) }
} else {
  if (-not $env:ExchangeInstallPath) { throw 'Exchange is not installed on this computer (ExchangeInstallPath is not set).' }
  $remoteExchange = Join-Path -Path $env:ExchangeInstallPath -ChildPath 'bin\RemoteExchange.ps1'
  if (-not (Test-Path -LiteralPath $remoteExchange)) { throw ('Exchange Management Shell script not found: ' + $remoteExchange) }
  . $remoteExchange
  Connect-ExchangeServer -auto -ClientApplication:ManagementShell
  $global:ExrConnection = @{ Mode = 'local'; Fanout = 'serial'; Modules = @(); SnapIns = @() }
}
`;

/**
 * Remote mode: implicit remoting to Exchange's PowerShell virtual directory. The server name was
 * checked to be a host name before it got here; the password arrives as a parameter (from
 * SecretStorage), becomes a SecureString and is dropped.
 */
export const REMOTE_STARTUP_SCRIPT = String.raw`
param([string]$Server, [string]$Authentication, [string]$UserName, [string]$Password)
$uri = New-Object System.Uri(('http://' + $Server + '/PowerShell/'))
$options = @{ ConfigurationName = 'Microsoft.Exchange'; ConnectionUri = $uri; Authentication = $Authentication; ErrorAction = 'Stop' }
if ($UserName) {
  $secure = ConvertTo-SecureString -String $Password -AsPlainText -Force
  $options.Credential = New-Object System.Management.Automation.PSCredential($UserName, $secure)
}
$Password = $null
$global:ExrExchangeSession = New-PSSession @options
Import-Module (Import-PSSession -Session $global:ExrExchangeSession -DisableNameChecking -AllowClobber -ErrorAction Stop) -Global -DisableNameChecking
$global:ExrConnection = @{ Mode = 'remote'; Fanout = 'serial'; Modules = @(); SnapIns = @() }
`;

/** Sent before the process is stopped, so that Exchange does not keep the remote session open. */
export const REMOTE_SHUTDOWN_SCRIPT = String.raw`
if ($global:ExrExchangeSession) { Remove-PSSession -Session $global:ExrExchangeSession -ErrorAction SilentlyContinue; $global:ExrExchangeSession = $null }
`;

/**
 * What one runspace does for one server: Get-ServerHealth, reduced to the fields the view shows,
 * dates as ISO text (5.1 and 7 would otherwise serialise DateTime differently). Never throws: a
 * failure is an answer with its reason.
 */
export const SERVER_HEALTH_SCRIPT = String.raw`
param([string]$Server)
$clock = [System.Diagnostics.Stopwatch]::StartNew()
try {
  $items = @(Get-ServerHealth -Identity $Server -ErrorAction Stop)
  $monitors = New-Object System.Collections.ArrayList
  foreach ($m in $items) {
    # Dates as ISO text (5.1 and 7 would serialise DateTime differently), inline: a script block
    # call per date cost more than the rest of the shaping.
    $iso = New-Object System.Collections.ArrayList
    foreach ($date in @($m.LastTransitionTime, $m.FirstAlertObservedTime, $m.LastExecutionTime)) {
      if ($date -is [datetime]) { [void]$iso.Add($date.ToUniversalTime().ToString('o')) }
      elseif ($null -ne $date -and [string]$date -ne '') { [void]$iso.Add([string]$date) }
      else { [void]$iso.Add($null) }
    }
    [void]$monitors.Add(@{
      name = [string]$m.Name
      healthSet = [string]$m.HealthSetName
      healthGroup = [string]$m.HealthGroupName
      targetResource = [string]$m.TargetResource
      alertValue = [string]$m.AlertValue
      currentHealthSetState = [string]$m.CurrentHealthSetState
      lastTransitionTime = $iso[0]
      firstAlertObservedTime = $iso[1]
      lastExecutionTime = $iso[2]
      lastExecutionResult = [string]$m.LastExecutionResult
      description = [string]$m.Description
      error = [string]$m.Error
      isHaImpacting = [bool]$m.IsHaImpacting
      isStale = [bool]$m.IsStale
      identity = [string]$m.Identity
    })
  }
  @{ server = $Server; ok = $true; durationMs = [int]$clock.ElapsedMilliseconds; monitors = $monitors }
} catch {
  $exception = $_.Exception
  $text = [string]$exception.Message
  $reason = 'error'
  $transport = 'PSRemotingTransportException|WebException|SocketException|WinRM|ServerUnavailable'
  if ($exception.GetType().Name -match $transport -or $text -match 'WinRM|Connecting to remote server|RPC server is unavailable|could not be reached|cannot be reached|unreachable|No such host') { $reason = 'unreachable' }
  @{ server = $Server; ok = $false; reason = $reason; message = $text; durationMs = [int]$clock.ElapsedMilliseconds }
}
`;

/**
 * One poll = one request. Fans out over a RunspacePool kept between polls (each runspace imports
 * the connection's module or snap-in once), at most $Concurrency servers at a time, each stopped
 * at its own deadline; with implicit remoting (one remote session) it goes serially.
 */
export const POLL_SCRIPT = String.raw`
param([string[]]$Servers, [int]$PerServerTimeoutMs, [int]$Concurrency, [string]$ServerScript)
$connection = $global:ExrConnection
if (-not $connection) { $connection = @{ Mode = 'none'; Fanout = 'runspaces'; Modules = @(); SnapIns = @() } }
$results = @{}
if ($connection.Fanout -eq 'serial') {
  $perServer = [scriptblock]::Create($ServerScript)
  foreach ($name in $Servers) { $results[$name] = & $perServer $name }
} else {
  if ($global:ExrStopping) {
    foreach ($old in @($global:ExrStopping)) { if ($old.Handle.IsCompleted) { $old.PowerShell.Dispose(); [void]$global:ExrStopping.Remove($old) } }
  } else { $global:ExrStopping = New-Object System.Collections.ArrayList }
  if (-not $global:ExrPool -or $global:ExrPoolSize -ne $Concurrency -or $global:ExrPoolScript -cne $ServerScript -or $global:ExrPool.RunspacePoolStateInfo.State -ne 'Opened') {
    if ($global:ExrPool) { $global:ExrPool.Dispose() }
    $state = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
    if (@($connection.Modules).Count -gt 0) { $state.ImportPSModule([string[]]@($connection.Modules)) }
    foreach ($snapIn in @($connection.SnapIns)) { $warning = $null; [void]$state.ImportPSSnapIn($snapIn, [ref]$warning) }
    # The per-server script as a function each runspace defines once: given as script text to every
    # call, it was compiled again each time (measured: 17-20 ms of CPU per server, against 8-9 ms).
    $state.Commands.Add((New-Object System.Management.Automation.Runspaces.SessionStateFunctionEntry('__ExrServerPoll', $ServerScript)))
    # Headroom above $Concurrency: a server being stopped after its deadline still holds a runspace.
    # No host: what a runspace writes to the host must not reach this process's stdout.
    $global:ExrPool = [runspacefactory]::CreateRunspacePool($state)
    [void]$global:ExrPool.SetMaxRunspaces($Concurrency + 4)
    $global:ExrPool.Open()
    $global:ExrPoolSize = $Concurrency
    $global:ExrPoolScript = $ServerScript
  }
  $waiting = New-Object System.Collections.Queue
  foreach ($name in $Servers) { $waiting.Enqueue($name) }
  $running = New-Object System.Collections.ArrayList
  while ($waiting.Count -gt 0 -or $running.Count -gt 0) {
    while ($waiting.Count -gt 0 -and $running.Count -lt $Concurrency) {
      $name = $waiting.Dequeue()
      $shell = [powershell]::Create()
      $shell.RunspacePool = $global:ExrPool
      [void]$shell.AddCommand('__ExrServerPoll').AddArgument($name)
      [void]$running.Add(@{ Server = $name; PowerShell = $shell; Handle = $shell.BeginInvoke(); Clock = [System.Diagnostics.Stopwatch]::StartNew() })
    }
    $still = New-Object System.Collections.ArrayList
    foreach ($job in $running) {
      if ($job.Handle.IsCompleted) {
        try {
          $answer = @($job.PowerShell.EndInvoke($job.Handle))
          if ($answer.Count -gt 0) { $results[$job.Server] = $answer[0] }
          else { $results[$job.Server] = @{ server = $job.Server; ok = $false; reason = 'error'; message = (@($job.PowerShell.Streams.Error) -join '; '); durationMs = [int]$job.Clock.ElapsedMilliseconds } }
        } catch {
          $results[$job.Server] = @{ server = $job.Server; ok = $false; reason = 'error'; message = $_.ToString(); durationMs = [int]$job.Clock.ElapsedMilliseconds }
        }
        $job.PowerShell.Dispose()
      } elseif ($job.Clock.ElapsedMilliseconds -ge $PerServerTimeoutMs) {
        [void]$job.PowerShell.BeginStop($null, $null)
        [void]$global:ExrStopping.Add($job)
        $results[$job.Server] = @{ server = $job.Server; ok = $false; reason = 'timeout'; message = ('No answer within ' + $PerServerTimeoutMs + ' ms.'); durationMs = [int]$job.Clock.ElapsedMilliseconds }
      } else {
        [void]$still.Add($job)
      }
    }
    $running = $still
    if ($running.Count -gt 0) {
      # Sleep until a server answers or the nearest deadline (WaitAny takes up to 64 handles: concurrency is capped at 64).
      $handles = New-Object System.Collections.ArrayList
      $wait = $PerServerTimeoutMs
      foreach ($job in $running) {
        [void]$handles.Add($job.Handle.AsyncWaitHandle)
        $left = $PerServerTimeoutMs - $job.Clock.ElapsedMilliseconds
        if ($left -lt $wait) { $wait = $left }
      }
      if ($wait -lt 1) { $wait = 1 }
      [void][System.Threading.WaitHandle]::WaitAny([System.Threading.WaitHandle[]]$handles.ToArray(), [int]$wait)
    }
  }
}
$ordered = New-Object System.Collections.ArrayList
foreach ($name in $Servers) { [void]$ordered.Add($results[$name]) }
$ordered
`;

/** Invoke-MonitoringProbe on one server, reduced to what the view shows. */
export const PROBE_SCRIPT = String.raw`
param([string]$Server, [string]$Identity)
$toIso = { param($date) if ($date -is [datetime]) { $date.ToUniversalTime().ToString('o') } elseif ($null -ne $date -and [string]$date -ne '') { [string]$date } else { $null } }
$clock = [System.Diagnostics.Stopwatch]::StartNew()
$result = @(Invoke-MonitoringProbe -Identity $Identity -Server $Server -ErrorAction Stop) | Select-Object -First 1
@{
  server = $Server
  identity = $Identity
  resultType = [string]$result.ResultType
  error = [string]$result.Error
  exception = [string]$result.Exception
  executionStartTime = (& $toIso $result.ExecutionStartTime)
  executionEndTime = (& $toIso $result.ExecutionEndTime)
  sampleValue = [string]$result.SampleValue
  durationMs = [int]$clock.ElapsedMilliseconds
}
`;

/** Get-ExchangeServer: names and roles ("Mailbox, ClientAccess" becomes two roles). */
export const LIST_SERVERS_SCRIPT = String.raw`
$servers = New-Object System.Collections.ArrayList
foreach ($s in @(Get-ExchangeServer -ErrorAction Stop)) {
  $roles = New-Object System.Collections.ArrayList
  foreach ($role in (([string]$s.ServerRole) -split ',')) { if ($role.Trim()) { [void]$roles.Add($role.Trim()) } }
  [void]$servers.Add(@{ name = [string]$s.Name; roles = $roles.ToArray(); version = [string]$s.AdminDisplayVersion; site = [string]$s.Site; fqdn = [string]$s.Fqdn })
}
$servers
`;

/** Every script above, by name: what the Windows PowerShell 5.1 compatibility test parses. */
export const ALL_SCRIPTS: Readonly<Record<string, string>> = {
  BOOTSTRAP_SCRIPT,
  HELLO_SCRIPT,
  SIMULATOR_STARTUP_SCRIPT,
  LOCAL_STARTUP_SCRIPT,
  REMOTE_STARTUP_SCRIPT,
  REMOTE_SHUTDOWN_SCRIPT,
  SERVER_HEALTH_SCRIPT,
  POLL_SCRIPT,
  PROBE_SCRIPT,
  LIST_SERVERS_SCRIPT,
};
