# The Exchange simulator module: refuses to load outside simulator mode or next to real Exchange,
# loads the simulated organisation's parts, and announces itself (banner, [SIM] prompt prefix).

# Simulator mode is an explicit choice: the module shadows Exchange's cmdlet names (and
# Invoke-Command, Restart-Computer, the service cmdlets), so it must never load by accident.
if ($env:EXCHANGE_SIMULATOR -ne '1') {
    throw "The Exchange simulator loads only in simulator mode: set `$env:EXCHANGE_SIMULATOR = '1' first. It stands in for Exchange cmdlets, so it refuses to load by accident."
}
# On a machine with the Exchange Management Shell (an implicit-remoting module or a function the
# shell defined) the real cmdlets must win: refuse rather than shadow them. Only what this session
# has loaded is looked at: Get-Command's search (even -ListImported) costs over a second in each
# new runspace, and the health view imports this module into several.
$realExchange = [System.Collections.Generic.List[string]]::new()
foreach ($name in 'Get-ExchangeServer', 'Get-ServerHealth') {
    foreach ($module in @(Get-Module)) {
        if ($module.Name -ne 'ExchangeSimulator' -and $module.ExportedCommands.ContainsKey($name)) { $realExchange.Add("$name from '$($module.Name)'") }
    }
    $function = Get-Item -LiteralPath "function:$name" -ErrorAction SilentlyContinue
    if ($null -ne $function -and $function.ModuleName -ne 'ExchangeSimulator') { $realExchange.Add("$name from '$($function.ModuleName)'") }
}
if ($realExchange.Count -gt 0) {
    throw "The Exchange simulator refuses to load: real Exchange cmdlets are present ($($realExchange -join ', ')). It never shadows a real Exchange organisation."
}

foreach ($part in 'State', 'World', 'Health', 'Common', 'HealthCmdlets', 'OrganisationCmdlets', 'ServerActions', 'Proxies', 'Control') {
    . (Join-Path $PSScriptRoot "$part.ps1")
}

# The banner goes to the host (Write-Host), never into the pipeline, so scripts that capture output
# are not disturbed; EXCHANGE_SIMULATOR_QUIET=1 silences it for sessions that log host text.
if ($env:EXCHANGE_SIMULATOR_QUIET -ne '1') {
    $scenario = try { (Read-SimWorld).scenario } catch { '?' }
    Write-Host "[SIM] Exchange simulator loaded: a simulated Exchange 2013 organisation, not a real one (scenario '$scenario', state $(Get-SimStatePath))."
}

# The prompt says [SIM] so nobody mistakes this shell for one connected to Exchange. The existing
# prompt is wrapped, not replaced, and put back when the module is removed.
# In a VS Code terminal, shell integration (shellIntegration.ps1) owns the prompt function: it reads
# the last command's $? first thing (the exit code VS Code shows) and writes the OSC 633 marks
# (prompt start, cwd, command start) around the prompt it wraps, kept in
# $Global:__VSCodeOriginalPrompt. Wrapping its function from outside put [SIM] among its marks,
# which garbled PSReadLine's redraws; so there [SIM] goes into the prompt VS Code wraps, and VS
# Code's function stays outermost with its marks as it writes them.
$vscodePrompt = Get-Variable -Name __VSCodeOriginalPrompt -Scope Global -ErrorAction SilentlyContinue
$script:SimPromptInVSCode = $null -ne $vscodePrompt -and $vscodePrompt.Value -is [scriptblock]
$script:SimOriginalPrompt = if ($script:SimPromptInVSCode) { $vscodePrompt.Value } else { (Get-Item -Path function:prompt -ErrorAction SilentlyContinue).ScriptBlock }
$script:SimPrompt = {
    $text = if ($null -ne $script:SimOriginalPrompt) { & $script:SimOriginalPrompt } else { "PS $($executionContext.SessionState.Path.CurrentLocation)> " }
    return '[SIM] ' + [string]($text -join '')
}
if ($script:SimPromptInVSCode) {
    Set-Variable -Name __VSCodeOriginalPrompt -Scope Global -Value $script:SimPrompt
} else {
    Set-Item -Path function:global:prompt -Value $script:SimPrompt
}
$ExecutionContext.SessionState.Module.OnRemove = {
    if ($null -eq $script:SimOriginalPrompt) { return }
    if ($script:SimPromptInVSCode) { Set-Variable -Name __VSCodeOriginalPrompt -Scope Global -Value $script:SimOriginalPrompt }
    else { Set-Item -Path function:global:prompt -Value $script:SimOriginalPrompt }
}

Export-ModuleMember -Function @(
    'Reset-ExchangeSimulator', 'Get-ExchangeSimulatorScenario', 'Get-ExchangeSimulatorState',
    'Get-ExchangeSimulatorClock', 'Step-ExchangeSimulatorClock', 'Set-ExchangeSimulatorServer',
    'Get-ServerHealth', 'Get-HealthReport', 'Invoke-MonitoringProbe', 'Get-MonitoringItemIdentity',
    'Get-ExchangeServer', 'Get-MailboxServer', 'Set-MailboxServer', 'Get-MailboxDatabaseCopyStatus',
    'Get-PopSettings', 'Set-PopSettings', 'Get-ImapSettings', 'Set-ImapSettings',
    'Get-ServerComponentState', 'Set-ServerComponentState', 'Test-PopConnectivity',
    'Invoke-Command', 'Get-Service', 'Restart-Service', 'Start-Service', 'Stop-Service', 'Restart-Computer')
