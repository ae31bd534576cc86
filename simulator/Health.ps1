# Managed Availability in the simulator: what each probe finds given the world's state, the probe
# history that the schedule fills in, and the monitor states computed from that history.

# Monitor states are computed lazily when read. Probes run on a fixed schedule (every Interval
# seconds, each server at its own phase); between two writes the world does not change, so every
# scheduled run since the last write has the outcome the world gives now. Reads add those runs in
# memory; each write first stores them (Sync-SimProbeHistory) and only then changes the world.

$script:SimHistoryCap = 24

# Services are stored only while they differ from their start-up state (Running), which keeps the
# state file small and makes an untouched server cheap to recognise.
function Get-SimServiceStatus($Server, [string]$Service) {
    $status = $Server.services[$Service]
    if ($null -eq $status) { return 'Running' }
    return $status
}

function Set-SimServiceStatus($Server, [string]$Service, [string]$Status) {
    if ($Status -eq 'Running') { $Server.services.Remove($Service) } else { $Server.services[$Service] = $Status }
}

function Get-SimComponentState($Server, [string]$Component) {
    $entry = $Server.components[$Component]
    if ($null -eq $entry -or $entry.Count -eq 0) {
        $default = $script:SimComponents[$Component]
        if ($null -eq $default) { return 'Active' }
        return $default
    }
    # A component is Inactive while any requester holds it Inactive (how Exchange combines them).
    $states = @($entry.Values | ForEach-Object { $_.state })
    if ($states -contains 'Inactive') { return 'Inactive' }
    if ($states -contains 'Draining') { return 'Draining' }
    return 'Active'
}

function Test-SimComponentDown($Server, [string]$Component) {
    return ((Get-SimComponentState $Server $Component) -ne 'Active') -or ((Get-SimComponentState $Server 'ServerWideOffline') -ne 'Active')
}

# The server that holds the mounted (active) copy of a database, or $null.
function Get-SimActiveCopyServer($World, [string]$Database) {
    $db = $World.databases[$Database]
    if ($null -eq $db) { return $null }
    foreach ($name in $db.copies.Keys) {
        if ($db.copies[$name].status -in 'Mounted', 'Dismounted', 'Mounting', 'Dismounting') { return $name }
    }
    return $null
}

function Test-SimStoreDown($World, [string]$ServerName) {
    $server = $World.servers[$ServerName]
    if ((Get-SimServiceStatus $server 'MSExchangeIS') -ne 'Running') { return "The Microsoft Exchange Information Store service on $ServerName is not running." }
    foreach ($dbName in $World.databases.Keys) {
        $copy = $World.databases[$dbName].copies[$ServerName]
        if ($null -ne $copy -and $copy.status -eq 'Dismounted') { return "Mailbox database $dbName on $ServerName is dismounted." }
    }
    return $null
}

function New-SimOutcome([string]$Type, [string]$Message, [double]$Sample) {
    return @{ r = $Type; e = $Message; s = $Sample }
}

# What a probe run on a server finds now: Succeeded, Failed or Timeout, with the error text and the
# sample value (milliseconds the probe took).
function Get-SimProbeOutcome($World, [string]$ServerName, [string]$ProbeKey) {
    $server = $World.servers[$ServerName]
    $faults = @($server.faults)
    $ok = 120 + [Math]::Round(([double]$server.phase * 997) % 400)
    switch ($ProbeKey) {
        { $_ -in 'POP\PopCTPProbe', 'POP.Proxy\PopProxyTestProbe', 'IMAP\ImapCTPProbe', 'IMAP.Proxy\ImapProxyTestProbe' } {
            $isPop = $ProbeKey.StartsWith('POP')
            $component = if ($isPop) { 'PopProxy' } else { 'ImapProxy' }
            $service = if ($isPop) { 'MSExchangePOP3' } else { 'MSExchangeIMAP4' }
            $port = if ($isPop) { 995 } else { 993 }
            if (Test-SimComponentDown $server $component) {
                return New-SimOutcome 'Failed' "The $component component on $ServerName is not Active: the $service service is stopped by design." 0
            }
            if ((Get-SimServiceStatus $server $service) -ne 'Running') {
                return New-SimOutcome 'Failed' "Could not connect to $ServerName on port ${port}: No connection could be made because the target machine actively refused it." 0
            }
            if ($ProbeKey -like '*ProxyTestProbe') {
                if ($isPop -and $faults -contains 'ProxyFault') { return New-SimOutcome 'Failed' (Get-SimFaultMessage 'ProxyFault' $ServerName) 0 }
                return New-SimOutcome 'Succeeded' '' $ok
            }
            # The customer touch point logs on to a test mailbox: through this CAS to the Mailbox
            # server that holds that mailbox's database.
            $database = if ($server.probeDatabase) { $server.probeDatabase } else { 'DB01' }
            $backend = Get-SimActiveCopyServer $World $database
            if ($null -eq $backend) { return New-SimOutcome 'Failed' "The test mailbox's database $database has no active copy." 0 }
            $store = Test-SimStoreDown $World $backend
            if ($store) { return New-SimOutcome 'Failed' "The logon proxied to $backend failed: $store" 0 }
            $backendService = if ($isPop) { 'MSExchangePOP3BE' } else { 'MSExchangeIMAP4BE' }
            $backendServer = $World.servers[$backend]
            if ((Get-SimServiceStatus $backendServer $backendService) -ne 'Running' -or ($isPop -and @($backendServer.faults) -contains 'Pop3BackendHung')) {
                return New-SimOutcome 'Failed' "The session was proxied to $backend (port $(if ($isPop) { 1995 } else { 1993 })), which did not answer the LOGIN command in time." 0
            }
            return New-SimOutcome 'Succeeded' '' ($ok + 180)
        }
        'OWA.Proxy\OWAProxyTestProbe' {
            if ((Test-SimComponentDown $server 'OwaProxy') -or (Get-SimServiceStatus $server 'W3SVC') -ne 'Running') {
                return New-SimOutcome 'Failed' "The request to https://$($ServerName.ToLowerInvariant()).$script:SimDomain/owa/ failed: 503 Service Unavailable." 0
            }
            return New-SimOutcome 'Succeeded' '' $ok
        }
        { $_ -in 'POP.Protocol\PopDeepTestProbe', 'POP.Protocol\PopSelfTestProbe', 'IMAP.Protocol\ImapDeepTestProbe', 'IMAP.Protocol\ImapSelfTestProbe' } {
            $isPop = $ProbeKey.StartsWith('POP')
            $service = if ($isPop) { 'MSExchangePOP3BE' } else { 'MSExchangeIMAP4BE' }
            $port = if ($isPop) { 1995 } else { 1993 }
            if ((Get-SimServiceStatus $server $service) -ne 'Running') {
                return New-SimOutcome 'Failed' "Could not connect to $ServerName on port ${port}: No connection could be made because the target machine actively refused it." 0
            }
            if ($ProbeKey -like '*DeepTestProbe') {
                if ($isPop -and $faults -contains 'Pop3BackendHung') { return New-SimOutcome 'Failed' (Get-SimFaultMessage 'Pop3BackendHung' $ServerName) 0 }
                $store = Test-SimStoreDown $World $ServerName
                if ($store) { return New-SimOutcome 'Failed' $store 0 }
                return New-SimOutcome 'Succeeded' '' ($ok + 250)
            }
            if ($isPop -and $faults -contains 'SlowCommands') { return New-SimOutcome 'Timeout' (Get-SimFaultMessage 'SlowCommands' $ServerName) 75000 }
            return New-SimOutcome 'Succeeded' '' $ok
        }
    }
    return New-SimOutcome 'Failed' "Unknown probe $ProbeKey." 0
}

# Which servers are untouched: no fault, every service Running, components as shipped, no dismounted
# database, and for a Client Access server a test mailbox whose server is untouched too. Every probe
# on such a server succeeds, so readers of 200 servers skip the probe logic for nearly all of them.
function Get-SimPristineTable($World) {
    $dismounted = @{}
    foreach ($db in $World.databases.Values) {
        foreach ($copyServer in $db.copies.Keys) { if ($db.copies[$copyServer].status -ne 'Mounted' -and $db.copies[$copyServer].status -ne 'Healthy') { $dismounted[$copyServer] = $true } }
    }
    $table = @{}
    foreach ($name in $World.servers.Keys) {
        $server = $World.servers[$name]
        $table[$name] = (@($server.faults).Count -eq 0 -and $server.services.Count -eq 0 -and $server.components.Count -eq 0 -and -not $dismounted[$name])
    }
    foreach ($name in $World.servers.Keys) {
        $server = $World.servers[$name]
        if ($server.role -ne 'ClientAccess' -or -not $table[$name]) { continue }
        $database = if ($server.probeDatabase) { $server.probeDatabase } else { 'DB01' }
        $backend = Get-SimActiveCopyServer $World $database
        if ($null -eq $backend -or -not $table[$backend]) { $table[$name] = $false }
    }
    return $table
}

# The scheduled run times of a probe in (From, To]. Over a long span only the first few (where a
# monitor trips) and the latest Max (what the history keeps) matter; the runs between are skipped.
function Get-SimScheduledTimes([double]$Phase, [double]$Interval, [double]$From, [double]$To, [int]$Max = $script:SimHistoryCap) {
    $offset = $Phase * $Interval
    $last = [Math]::Floor(($To - $offset) / $Interval)
    $first = [Math]::Floor(($From - $offset) / $Interval) + 1
    $times = [System.Collections.Generic.List[double]]::new()
    if ($last - $first + 1 -gt $Max + 8) {
        for ($k = $first; $k -lt $first + 8; $k++) { $times.Add($k * $Interval + $offset) }
        $first = $last - $Max + 1
    }
    for ($k = $first; $k -le $last; $k++) { $times.Add($k * $Interval + $offset) }
    return , $times
}

function Get-SimProbeKeysForRole([string]$Role) {
    return @($script:SimProbes.Keys | Where-Object { $script:SimProbes[$_].Role -eq $Role })
}

# The probe runs of one probe on one server up to now: the stored history plus the scheduled runs
# since the last write, which have the outcome the world gives now.
function Get-SimProbeRuns($World, [string]$ServerName, [string]$ProbeKey, [double]$Now, $Outcome) {
    $runs = [System.Collections.Generic.List[object]]::new()
    $stored = $World.history["$ServerName|$ProbeKey"]
    if ($null -ne $stored) { foreach ($run in $stored) { $runs.Add($run) } }
    if ($null -eq $Outcome) { $Outcome = Get-SimProbeOutcome $World $ServerName $ProbeKey }
    $interval = [double]$script:SimProbes[$ProbeKey].Interval
    foreach ($t in (Get-SimScheduledTimes ([double]$World.servers[$ServerName].phase) $interval ([double]$World.synced) $Now)) {
        $runs.Add(@{ t = $t; r = $Outcome.r; e = $Outcome.e; s = $Outcome.s })
    }
    return , $runs
}

function Test-SimRunBad($Monitor, $Run) {
    if ($Monitor.Kind -eq 'Slow') { return [double]$Run.s -gt 60000 }
    return $Run.r -ne 'Succeeded'
}

# A monitor's state from its probe's runs: it trips at the Threshold-th consecutive bad run, is
# Degraded for the first 60 s and Unhealthy after, and is Healthy again from the first good run.
# (A probe runs at least once per monitoring window, so consecutive failures stand for Exchange's
# "N failures in the window".)
function Get-SimMonitorVerdict($World, [string]$ServerName, $Monitor, $Runs, [double]$Now) {
    $chain = 0; $tripAt = $null; $chainStart = -1
    $lastTransition = [double]$World.createdAt; $lastError = ''; $lastFailed = $null
    for ($i = 0; $i -lt $Runs.Count; $i++) {
        $run = $Runs[$i]
        if (Test-SimRunBad $Monitor $run) {
            if ($chain -eq 0) { $chainStart = $i }
            $chain++
            $lastFailed = $run
            if ($chain -eq $Monitor.Threshold) { $tripAt = [double]$run.t }
        } else {
            if ($null -ne $tripAt) { $lastTransition = [double]$run.t }
            $chain = 0; $tripAt = $null
        }
    }
    if ($null -ne $tripAt -and $chainStart -eq 0) {
        # The chain began before the oldest run kept: the trip time recorded when it was trimmed wins.
        $recorded = $World.trips["$ServerName|$($Monitor.Name)"]
        if ($null -ne $recorded -and [double]$recorded -lt $tripAt) { $tripAt = [double]$recorded }
    }
    $last = if ($Runs.Count -gt 0) { $Runs[$Runs.Count - 1] } else { $null }
    $verdict = @{ Alert = 'Healthy'; Transition = $lastTransition; FirstAlert = $null; Error = ''; Last = $last; LastFailed = $lastFailed }
    if ($null -ne $tripAt) {
        $verdict.FirstAlert = $tripAt
        $verdict.Error = [string]$lastFailed.e
        if ($Now - $tripAt -le 60) {
            $verdict.Alert = 'Degraded'; $verdict.Transition = $tripAt
        } else {
            $verdict.Alert = 'Unhealthy'; $verdict.Transition = $tripAt + 60
        }
    }
    return $verdict
}

# Stores the scheduled runs since the last write (see the top of this file), keeping the newest
# runs of each probe and the trip time of monitors whose failing chain gets trimmed.
function Sync-SimProbeHistory($World, [double]$Now) {
    if ($null -eq $World.trips) { $World.trips = [ordered]@{} }
    $from = [double]$World.synced
    if ($Now -le $from) { return }
    $pristine = Get-SimPristineTable $World
    $keysByRole = @{ ClientAccess = Get-SimProbeKeysForRole 'ClientAccess'; Mailbox = Get-SimProbeKeysForRole 'Mailbox' }
    foreach ($serverName in @($World.servers.Keys)) {
        $role = $World.servers[$serverName].role
        $isPristine = $pristine[$serverName]
        foreach ($probeKey in $keysByRole[$role]) {
            $key = "$serverName|$probeKey"
            if ($isPristine -and $null -eq $World.history[$key]) { continue }
            $outcome = Get-SimProbeOutcome $World $serverName $probeKey
            if ($null -eq $World.history[$key] -and $outcome.r -eq 'Succeeded' -and $outcome.s -le 60000) { continue }
            $runs = Get-SimProbeRuns $World $serverName $probeKey $Now $outcome
            Save-SimProbeRuns $World $serverName $probeKey $runs $Now
        }
    }
    $World.synced = $Now
}

# Stores a probe's runs, keeping the newest; before older runs are dropped, the trip time of each
# monitor on that probe is recorded, so an alert keeps its first observed time however long it lasts.
function Save-SimProbeRuns($World, [string]$ServerName, [string]$ProbeKey, $Runs, [double]$Now) {
    if ($null -eq $World.trips) { $World.trips = [ordered]@{} }
    if ($Runs.Count -gt $script:SimHistoryCap) {
        foreach ($monitor in $script:SimMonitorsByRole[$World.servers[$ServerName].role]) {
            if ($monitor.Probe -ne $ProbeKey) { continue }
            $verdict = Get-SimMonitorVerdict $World $ServerName $monitor $Runs $Now
            $tripKey = "$ServerName|$($monitor.Name)"
            if ($null -ne $verdict.FirstAlert) { $World.trips[$tripKey] = $verdict.FirstAlert } else { $World.trips.Remove($tripKey) }
        }
        $Runs = $Runs.GetRange($Runs.Count - $script:SimHistoryCap, $script:SimHistoryCap)
    }
    $World.history["$ServerName|$ProbeKey"] = $Runs.ToArray()
}

# Records one probe run (Invoke-MonitoringProbe) in the history; called inside Update-SimWorld.
function Add-SimProbeRun($World, [string]$ServerName, [string]$ProbeKey, [double]$Now, $Outcome) {
    $key = "$ServerName|$ProbeKey"
    $runs = [System.Collections.Generic.List[object]]::new()
    if ($null -ne $World.history[$key]) { foreach ($run in $World.history[$key]) { $runs.Add($run) } }
    $runs.Add(@{ t = $Now; r = $Outcome.r; e = $Outcome.e; s = $Outcome.s })
    Save-SimProbeRuns $World $ServerName $ProbeKey $runs $Now
}
