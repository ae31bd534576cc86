# The simulator's own cmdlets: start a scenario, read the world's state, move the clock, make a
# server slow or unreachable.

function Reset-ExchangeSimulator {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Position = 0)]
        [ArgumentCompleter({ param($c, $p, $word) $script:SimScenarios.Keys | Where-Object { $_ -like "$word*" } })]
        [string]$Scenario = 'healthy',
        [ValidateRange(5, 10000)][int]$ServerCount = 5,
        # Stops the simulated clock from following real time: it moves only with
        # Step-ExchangeSimulatorClock (tests and rehearsals that must not depend on timing).
        [switch]$FreezeClock,
        [switch]$PassThru
    )
    if (-not $script:SimScenarios.Contains($Scenario)) {
        $PSCmdlet.ThrowTerminatingError((New-SimErrorRecord "Unknown scenario '$Scenario'. Known scenarios: $($script:SimScenarios.Keys -join ', ')." `
            'UnknownScenario' ([System.Management.Automation.ErrorCategory]::InvalidArgument) $Scenario 'System.ArgumentException'))
    }
    if (-not $PSCmdlet.ShouldProcess((Get-SimStatePath), "Reset the simulated organisation to scenario '$Scenario'")) { return }
    [void](Update-SimWorld -NewScenario $Scenario -NewServerCount $ServerCount -NewFrozenClock:$FreezeClock -Action { param($__simWorld, $__simNow) })
    if ($PassThru) { Get-ExchangeSimulatorState }
}

function Get-ExchangeSimulatorScenario {
    [CmdletBinding()]
    param([Parameter(Position = 0)][string]$Name = '*')
    $found = $false
    foreach ($key in $script:SimScenarios.Keys) {
        if ($key -notlike $Name) { continue }
        $found = $true
        $s = $script:SimScenarios[$key]
        New-SimObject 'ExchangeSimulator.Scenario' ([ordered]@{
            Name          = $key
            Description   = $s.Description
            Server        = $s.Server
            HealthSet     = $s.HealthSet
            Monitor       = $s.Monitor
            Probe         = $s.Probe
            MailboxServer = $s.MailboxServer
            Runbook       = $s.Runbook
            Procedure     = $s.Procedure
            Remedy        = $s.Remedy
        })
    }
    if (-not $found) {
        $PSCmdlet.WriteError((New-SimErrorRecord "Unknown scenario '$Name'. Known scenarios: $($script:SimScenarios.Keys -join ', ')." 'UnknownScenario' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Name))
    }
}

function Get-ExchangeSimulatorState {
    [CmdletBinding()]
    param()
    $world = Read-SimWorld
    $now = Get-SimNow $world
    New-SimObject 'ExchangeSimulator.State' ([ordered]@{
        Scenario    = $world.scenario
        Revision    = [int64]$world.revision
        Now         = ConvertFrom-SimEpoch $now
        ClockOffset = [TimeSpan]::FromSeconds([double]$world.clock.offset)
        ClockFrozen = [bool]$world.clock.frozen
        StatePath   = Get-SimStatePath
        ServerCount = $world.servers.Count
        Servers     = @($world.servers.Keys)
    })
}

function Get-ExchangeSimulatorClock {
    [CmdletBinding()]
    [OutputType([DateTime])]
    param()
    return ConvertFrom-SimEpoch (Get-SimNow (Read-SimWorld))
}

function Step-ExchangeSimulatorClock {
    [CmdletBinding()]
    [OutputType([DateTime])]
    param(
        [double]$Minutes = 0,
        [double]$Seconds = 0,
        [double]$Hours = 0
    )
    $delta = $Hours * 3600 + $Minutes * 60 + $Seconds
    if ($delta -lt 0) { $PSCmdlet.ThrowTerminatingError((New-SimErrorRecord 'The simulated clock only moves forward.' 'NegativeStep' ([System.Management.Automation.ErrorCategory]::InvalidArgument) $delta 'System.ArgumentException')) }
    $now = Update-SimWorld -ArgumentList @($delta) -Action {
        param($__simWorld, $__simNow, $__simDelta)
        # The probe runs up to the old now are stored already (Update-SimWorld syncs first); the
        # runs in the skipped span are added lazily with the world as it is, as for real time.
        $__simWorld.clock.offset = [double]$__simWorld.clock.offset + $__simDelta
        $__simNow + $__simDelta
    }
    return ConvertFrom-SimEpoch $now
}

function Set-ExchangeSimulatorServer {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Name')][string[]]$Identity,
        [ValidateRange(0, 600000)][int]$LatencyMilliseconds,
        [bool]$Unreachable
    )
    process {
        $world = Read-SimWorld
        $index = Get-SimServerIndex $world
        foreach ($id in $Identity) {
            $name = $null
            if (-not $index.TryGetValue($id, [ref]$name)) { $PSCmdlet.WriteError((New-SimNotFoundError $id)); continue }
            if (-not $PSCmdlet.ShouldProcess($name, 'Set simulated latency / reachability')) { continue }
            [void](Update-SimWorld -ArgumentList @($name, $PSBoundParameters) -Action {
                param($__simWorld, $__simNow, $__simName, $__simBound)
                $server = $__simWorld.servers[$__simName]
                if ($__simBound.ContainsKey('LatencyMilliseconds')) { $server.latencyMs = $__simBound.LatencyMilliseconds }
                if ($__simBound.ContainsKey('Unreachable')) { $server.unreachable = $__simBound.Unreachable }
            })
        }
    }
}
