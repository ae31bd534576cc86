# The Managed Availability cmdlets: Get-ServerHealth, Get-HealthReport, Invoke-MonitoringProbe,
# Get-MonitoringItemIdentity, with Exchange's parameters and output shapes.

# What one Get-ServerHealth call needs about the world, worked out once: a poll of 200 servers
# builds a thousand entries, so per-entry work is kept to arithmetic and one object.
function New-SimHealthContext($World) {
    $cache = Get-SimReadCache $World
    if ($null -ne $cache.Health) {
        $context = $cache.Health.Clone()
        $context.Now = Get-SimNow $World
        return $context
    }
    $created = ConvertFrom-SimEpoch ([double]$World.createdAt)
    # One Healthy entry per monitor to copy from: copying an object is several times cheaper than
    # building one with 27 properties.
    $templates = @{}
    foreach ($monitor in $script:SimMonitors) {
        $healthSetInfo = $script:SimHealthSets[$monitor.HealthSet]
        $template = [pscustomobject]@{
            Server                  = ''
            CurrentHealthSetState   = 'Online'
            Name                    = $monitor.Name
            TargetResource          = $monitor.TargetResource
            HealthSetName           = $monitor.HealthSet
            HealthGroupName         = $healthSetInfo.Group
            AlertValue              = 'Healthy'
            FirstAlertObservedTime  = $null
            Description             = $monitor.Description
            IsHaImpacting           = $monitor.IsHaImpacting
            RecurranceInterval      = [int]$monitor.Interval
            DefinitionCreatedTime   = $created
            HealthSetDescription    = $healthSetInfo.Description
            ServerComponentName     = $monitor.Component
            LastTransitionTime      = $created
            LastExecutionTime       = $created
            LastExecutionResult     = 'Succeeded'
            ResultId                = 0
            WorkItemId              = 0
            IsStale                 = $false
            Error                   = ''
            Exception               = ''
            IsNotified              = $false
            LastFailedProbeId       = 0
            LastFailedProbeResultId = 0
            ServicePriority         = 0
            Identity                = $monitor.Identity
        }
        $template.PSObject.TypeNames.Insert(0, 'Microsoft.Exchange.Management.Monitoring.MonitorHealthEntry')
        $templates[$monitor.Name] = $template
    }
    # Servers with any stored probe history: the others skip the per-monitor history lookups.
    $historyServers = [System.Collections.Generic.HashSet[string]]::new()
    foreach ($key in $World.history.Keys) { [void]$historyServers.Add($key.Substring(0, $key.IndexOf('|'))) }
    $context = @{
        HistoryServers = $historyServers
        World          = $World
        Now            = Get-SimNow $World
        Created        = $created
        Pristine       = Get-SimPristineTable $World
        Templates      = $templates
    }
    $cache.Health = $context
    return $context.Clone()
}

function New-SimMonitorEntry($Context, [string]$ServerName, $Monitor, $OutcomeCache) {
    $World = $Context.World
    $Now = $Context.Now
    $server = $World.servers[$ServerName]
    $probeKey = $Monitor.Probe
    $interval = [double]$Monitor.Interval
    $hasHistory = $null -ne $World.history["$ServerName|$probeKey"]
    $setState = 'Online'
    $isStale = $false
    if ($Context.Pristine[$ServerName] -and -not $hasHistory) {
        # Nothing has ever gone wrong here: Healthy since the world began, last run on the schedule.
        $offset = [double]$server.phase * $interval
        $lastRun = [Math]::Floor(($Now - $offset) / $interval) * $interval + $offset
        $alert = 'Healthy'; $transition = $Context.Created; $firstAlert = $null; $errorText = ''; $failedAt = 0.0
    } else {
        $outcome = $OutcomeCache[$probeKey]
        if ($null -eq $outcome) {
            $outcome = Get-SimProbeOutcome $World $ServerName $probeKey
            $OutcomeCache[$probeKey] = $outcome
        }
        $runs = Get-SimProbeRuns $World $ServerName $probeKey $Now $outcome
        $verdict = Get-SimMonitorVerdict $World $ServerName $Monitor $runs $Now
        $alert = $verdict.Alert
        $transition = ConvertFrom-SimEpoch ([double]$verdict.Transition)
        $firstAlert = if ($null -ne $verdict.FirstAlert) { ConvertFrom-SimEpoch $verdict.FirstAlert } else { $null }
        $errorText = $verdict.Error
        $lastRun = if ($null -ne $verdict.Last) { [double]$verdict.Last.t } else { $Now }
        $failedAt = if ($null -ne $verdict.LastFailed) { [double]$verdict.LastFailed.t } else { 0.0 }
        if ($Monitor.Component -ne 'None' -and (Test-SimComponentDown $server $Monitor.Component)) { $setState = 'Offline' }
        # Monitors are evaluated by the Health Manager: with it stopped, what Exchange shows is stale.
        $isStale = (Get-SimServiceStatus $server 'MSExchangeHM') -ne 'Running'
    }
    $seed = [int]([double]$server.phase * 100000) * 16 + $Monitor.Ordinal
    $healthSet = $script:SimHealthSets[$Monitor.HealthSet]
    $object = [pscustomobject]@{
        Server                  = $ServerName
        CurrentHealthSetState   = $setState
        Name                    = $Monitor.Name
        TargetResource          = $Monitor.TargetResource
        HealthSetName           = $Monitor.HealthSet
        HealthGroupName         = $healthSet.Group
        AlertValue              = $alert
        FirstAlertObservedTime  = $firstAlert
        Description             = $Monitor.Description
        IsHaImpacting           = $Monitor.IsHaImpacting
        RecurranceInterval      = [int]$interval
        DefinitionCreatedTime   = $Context.Created
        HealthSetDescription    = $healthSet.Description
        ServerComponentName     = $Monitor.Component
        LastTransitionTime      = $transition
        LastExecutionTime       = [DateTime]::UnixEpoch.AddSeconds($lastRun).ToLocalTime()
        LastExecutionResult     = 'Succeeded'
        ResultId                = [int]($lastRun % 100000000)
        WorkItemId              = $seed
        IsStale                 = $isStale
        Error                   = $errorText
        Exception               = ''
        IsNotified              = ($alert -eq 'Unhealthy')
        LastFailedProbeId       = $(if ($failedAt) { $seed + 1 } else { 0 })
        LastFailedProbeResultId = [int]($failedAt % 100000000)
        ServicePriority         = 0
        Identity                = $Monitor.Identity
    }
    $object.PSObject.TypeNames.Insert(0, 'Microsoft.Exchange.Management.Monitoring.MonitorHealthEntry')
    return $object
}

function Get-ServerHealth {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [object[]]$Identity,
        [string]$HealthSet,
        [switch]$HaImpactingOnly
    )
    begin {
        $world = Read-SimWorld
        $context = New-SimHealthContext $world
        $index = Get-SimServerIndex $world
    }
    process {
        foreach ($id in $Identity) {
            # A plain, known, quick and reachable server name is the common case: no function call.
            $name = $null
            if ($id -isnot [string] -or -not $index.TryGetValue($id, [ref]$name) -or $world.servers[$name].latencyMs -or $world.servers[$name].unreachable) {
                $name = Connect-SimServer $world $index $id
                if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); continue }
            }
            $cache = @{}
            $server = $world.servers[$name]
            $pristine = $context.Pristine[$name]
            $hasHistory = $context.HistoryServers.Contains($name)
            foreach ($monitor in $script:SimMonitorsByRole[$server.role]) {
                if ($HealthSet -and $monitor.HealthSet -notlike $HealthSet) { continue }
                if ($HaImpactingOnly -and -not $monitor.IsHaImpacting) { continue }
                if (-not $pristine -or ($hasHistory -and $null -ne $world.history["$name|$($monitor.Probe)"])) {
                    New-SimMonitorEntry $context $name $monitor $cache
                    continue
                }
                # The common case, inline (a function call per entry costs more than the entry):
                # nothing has ever gone wrong here, Healthy since the world began.
                $interval = [double]$monitor.Interval
                $offset = [double]$server.phase * $interval
                $lastRun = [Math]::Floor(($context.Now - $offset) / $interval) * $interval + $offset
                $seed = [int]([double]$server.phase * 100000) * 16 + $monitor.Ordinal
                $object = $context.Templates[$monitor.Name].PSObject.Copy()
                $object.Server = $name
                $object.LastExecutionTime = [DateTime]::UnixEpoch.AddSeconds($lastRun).ToLocalTime()
                $object.ResultId = [int]($lastRun % 100000000)
                $object.WorkItemId = $seed
                $object
            }
        }
    }
}

$script:SimAlertRank = @{ Healthy = 0; Degraded = 1; Unhealthy = 2 }

function Get-HealthReport {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [object[]]$Identity,
        [string]$HealthSet,
        [switch]$RollupGroup,
        [ValidateRange(1, 2147483647)][int]$GroupSize = 12,
        [ValidateRange(0, 100)][int]$MinimumOnlinePercent = 70,
        [switch]$HaImpactingOnly
    )
    begin { $rows = [System.Collections.Generic.List[object]]::new() }
    process {
        foreach ($id in $Identity) {
            $entries = @(Get-ServerHealth -Identity $id -HealthSet $HealthSet -HaImpactingOnly:$HaImpactingOnly)
            foreach ($group in ($entries | Group-Object HealthSetName)) {
                $worst = 'Healthy'; $latest = [DateTime]::MinValue; $state = 'Online'
                foreach ($entry in $group.Group) {
                    if ($script:SimAlertRank[$entry.AlertValue] -gt $script:SimAlertRank[$worst]) { $worst = $entry.AlertValue }
                    if ($entry.LastTransitionTime -gt $latest) { $latest = $entry.LastTransitionTime }
                    if ($entry.CurrentHealthSetState -ne 'Online') { $state = $entry.CurrentHealthSetState }
                }
                $rows.Add((New-SimObject 'Microsoft.Exchange.Management.Monitoring.ConsolidatedHealth' ([ordered]@{
                    Server                  = $group.Group[0].Server
                    State                   = $state
                    HealthSet               = $group.Name
                    AlertValue              = $worst
                    LastTransitionTime      = $latest
                    MonitorCount            = $group.Count
                    HealthGroup             = $group.Group[0].HealthGroupName
                    HaImpactingMonitorCount = @($group.Group | Where-Object IsHaImpacting).Count
                    Entries                 = $group.Group
                })))
            }
        }
    }
    end {
        if (-not $RollupGroup) { $rows; return }
        # A rolled-up health set is Unhealthy when fewer than MinimumOnlinePercent of its servers are
        # free of unhealthy monitors, counted per group of GroupSize servers.
        foreach ($set in ($rows | Group-Object HealthSet)) {
            $servers = @($set.Group)
            for ($start = 0; $start -lt $servers.Count; $start += $GroupSize) {
                $slice = @($servers[$start..([Math]::Min($start + $GroupSize, $servers.Count) - 1)])
                $online = @($slice | Where-Object { $_.AlertValue -ne 'Unhealthy' }).Count
                $alert = if (100 * $online / $slice.Count -ge $MinimumOnlinePercent) {
                    if (@($slice | Where-Object { $_.AlertValue -ne 'Healthy' }).Count) { 'Degraded' } else { 'Healthy' }
                } else { 'Unhealthy' }
                New-SimObject 'Microsoft.Exchange.Management.Monitoring.ConsolidatedHealth' ([ordered]@{
                    Server                  = ($slice.Server -join ',')
                    State                   = $(if ($online -eq $slice.Count) { 'Online' } elseif ($online) { 'PartiallyOnline' } else { 'Offline' })
                    HealthSet               = $set.Name
                    AlertValue              = $alert
                    LastTransitionTime      = ($slice.LastTransitionTime | Sort-Object -Descending | Select-Object -First 1)
                    MonitorCount            = ($slice.MonitorCount | Measure-Object -Sum).Sum
                    HealthGroup             = $slice[0].HealthGroup
                    HaImpactingMonitorCount = ($slice.HaImpactingMonitorCount | Measure-Object -Sum).Sum
                    Entries                 = @($slice.Entries)
                })
            }
        }
    }
}

# 'POP\PopCTPProbe' or 'POP\PopCTPProbe\MSExchangePOP3' -> the probe's key, matched without case.
function Resolve-SimProbeKey([string]$Identity) {
    $parts = $Identity.Split('\')
    if ($parts.Count -ge 2) {
        $wanted = "$($parts[0])\$($parts[1])"
        foreach ($key in $script:SimProbes.Keys) { if ($key -eq $wanted) { return $key } }
    }
    return $null
}

function Invoke-MonitoringProbe {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)][string]$Identity,
        [Parameter(Mandatory)][object]$Server,
        [string]$Account,
        [string]$Password,
        [string]$Endpoint,
        [string]$SecondaryEndpoint,
        [string]$SecondaryAccount,
        [string]$SecondaryPassword,
        [string]$ItemTargetExtension,
        [string]$PropertyOverride,
        [string]$TimeOutSeconds
    )
    $world = Read-SimWorld
    $name = Connect-SimServer $world (Get-SimServerIndex $world) $Server
    if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); return }
    $probeKey = Resolve-SimProbeKey $Identity
    $role = $world.servers[$name].role
    if ($null -eq $probeKey -or $script:SimProbes[$probeKey].Role -ne $role) {
        $PSCmdlet.WriteError((New-SimErrorRecord "The probe '$Identity' was not found on server $name. Get-MonitoringItemIdentity -Identity <HealthSet> -Server $name lists its probes." `
            'ProbeDefinitionNotFound' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Identity))
        return
    }
    # Running the probe records its result, so the monitor moves just as with a scheduled run.
    $run = Update-SimWorld -ArgumentList @($name, $probeKey) -Action {
        param($__simWorld, $__simNow, $__simServer, $__simProbe)
        $outcome = Get-SimProbeOutcome $__simWorld $__simServer $__simProbe
        Add-SimProbeRun $__simWorld $__simServer $__simProbe $__simNow $outcome
        @{ Outcome = $outcome; Now = $__simNow }
    }
    $probe = $script:SimProbes[$probeKey]
    $start = ConvertFrom-SimEpoch $run.Now
    New-SimObject 'Microsoft.Exchange.Management.Monitoring.MonitoringProbeResult' ([ordered]@{
        Server             = $name
        MonitorIdentity    = "$probeKey\$($probe.TargetResource)"
        RequestId          = [guid]::NewGuid()
        ExecutionStartTime = $start
        ExecutionEndTime   = $start.AddMilliseconds([double]$run.Outcome.s)
        Error              = $run.Outcome.e
        Exception          = $(if ($run.Outcome.r -eq 'Succeeded') { '' } else { "Microsoft.Exchange.Monitoring.ProbeException: $($run.Outcome.e)" })
        ResultType         = $run.Outcome.r
        ResultName         = "$($probe.Name)/$($probe.TargetResource)"
        ServiceName        = $probe.HealthSet
        RetryCount         = 0
        SampleValue        = [double]$run.Outcome.s
        ExecutionContext   = "Server=$name; Endpoint=$(if ($Endpoint) { $Endpoint } else { $name.ToLowerInvariant() + '.' + $script:SimDomain })"
        FailureContext     = $(if ($run.Outcome.r -eq 'Succeeded') { '' } else { $run.Outcome.e })
    })
}

function Get-MonitoringItemIdentity {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)][string]$Identity,
        [Parameter(Mandatory)][object]$Server
    )
    $world = Read-SimWorld
    $name = Connect-SimServer $world (Get-SimServerIndex $world) $Server
    if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); return }
    $role = $world.servers[$name].role
    $parts = $Identity.Split('\')
    $items = [System.Collections.Generic.List[object]]::new()
    foreach ($key in $script:SimProbes.Keys) {
        $probe = $script:SimProbes[$key]
        if ($probe.Role -eq $role) { $items.Add(@{ HealthSet = $probe.HealthSet; Name = $probe.Name; TargetResource = $probe.TargetResource; ItemType = 'Probe' }) }
    }
    foreach ($monitor in $script:SimMonitorsByRole[$role]) {
        $items.Add(@{ HealthSet = $monitor.HealthSet; Name = $monitor.Name; TargetResource = $monitor.TargetResource; ItemType = 'Monitor' })
    }
    foreach ($item in $items) {
        if ($item.HealthSet -ne $parts[0]) { continue }
        if ($parts.Count -ge 2 -and $parts[1] -and $item.Name -notlike $parts[1]) { continue }
        New-SimObject 'Microsoft.Exchange.Management.Monitoring.MonitoringItemIdentity' ([ordered]@{
            Identity       = "$($item.HealthSet)\$($item.Name)\$($item.TargetResource)"
            HealthSetName  = $item.HealthSet
            Name           = $item.Name
            TargetResource = $item.TargetResource
            ItemType       = $item.ItemType
            Server         = $name
        })
    }
}
