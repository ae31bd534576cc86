# What recovery steps do to a simulated server: service starts, stops and restarts, and server
# restarts, with the consequences a real Exchange server would show.

# Faults that live in a service's process: stopping or restarting that service clears them.
$script:SimServiceFaults = @{ MSExchangePOP3BE = @('Pop3BackendHung') }
$script:SimFrontEndComponents = @{ MSExchangePOP3 = 'PopProxy'; MSExchangeIMAP4 = 'ImapProxy' }

function New-SimServiceObject([string]$ServerName, [string]$ServiceName, [string]$Status, [string]$Role) {
    $object = New-SimObject 'System.ServiceProcess.ServiceController' ([ordered]@{
        Name                = $ServiceName
        DisplayName         = $script:SimServices[$Role][$ServiceName]
        Status              = $Status
        StartType           = 'Automatic'
        ServiceName         = $ServiceName
        MachineName         = $ServerName
        CanStop             = ($Status -eq 'Running')
        CanPauseAndContinue = $false
        DependentServices   = @()
        ServicesDependedOn  = @()
        ServiceType         = 'Win32OwnProcess'
    })
    # Marks the object as the simulator's, so Restart-Service knows where a piped service lives.
    $object.PSObject.TypeNames.Insert(1, 'ExchangeSimulator.Service')
    return $object
}

function Test-SimServiceObject($InputObject) {
    return $null -ne $InputObject -and $InputObject.PSObject.TypeNames -contains 'ExchangeSimulator.Service'
}

# The service names on a server that Name / DisplayName patterns select, with -Include / -Exclude;
# a pattern without wildcards that selects nothing is an error, worded as Windows words it.
function Select-SimServices($World, [string]$ServerName, [string[]]$Name, [string[]]$DisplayName, [string[]]$Include, [string[]]$Exclude, [string]$Verb) {
    $role = $World.servers[$ServerName].role
    $catalog = $script:SimServices[$role]
    $selected = [System.Collections.Generic.List[string]]::new()
    $errors = [System.Collections.Generic.List[object]]::new()
    $patterns = if ($DisplayName) { $DisplayName } elseif ($Name) { $Name } else { @('*') }
    foreach ($pattern in $patterns) {
        $hits = @($catalog.Keys | Where-Object {
            if ($DisplayName) { $catalog[$_] -like $pattern } else { $_ -like $pattern }
        })
        if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($pattern)) {
            $kind = if ($DisplayName) { 'display name' } else { 'service name' }
            $errors.Add((New-SimErrorRecord "Cannot find any service with $kind '$pattern'." "NoServiceFoundForGiven$(if ($DisplayName) { 'DisplayName' } else { 'Name' }),Microsoft.PowerShell.Commands.$($Verb)ServiceCommand" `
                ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $pattern 'Microsoft.PowerShell.Commands.ServiceCommandException'))
        }
        foreach ($hit in $hits) {
            if ($Include -and -not ($Include | Where-Object { $hit -like $_ })) { continue }
            if ($Exclude -and ($Exclude | Where-Object { $hit -like $_ })) { continue }
            if (-not $selected.Contains($hit)) { $selected.Add($hit) }
        }
    }
    return @{ Names = $selected; Errors = $errors }
}

# Starts, stops or restarts services on one simulated server; returns the service objects after the
# change, the errors and the warnings, for the proxy to write.
function Invoke-SimServiceAction([string]$ServerName, [string]$Action, [string[]]$Name, [string[]]$DisplayName, [string[]]$Include, [string[]]$Exclude) {
    return Update-SimWorld -ArgumentList @($ServerName, $Action, $Name, $DisplayName, $Include, $Exclude) -Action {
        param($__simWorld, $__simNow, $__simServer, $__simAction, $__simName, $__simDisplayName, $__simInclude, $__simExclude)
        $server = $__simWorld.servers[$__simServer]
        $selection = Select-SimServices $__simWorld $__simServer $__simName $__simDisplayName $__simInclude $__simExclude $__simAction
        $warnings = [System.Collections.Generic.List[string]]::new()
        $objects = [System.Collections.Generic.List[object]]::new()
        foreach ($svc in $selection.Names) {
            if ($__simAction -in 'Stop', 'Restart') {
                Set-SimServiceStatus $server $svc 'Stopped'
                if ($script:SimServiceFaults.ContainsKey($svc)) {
                    $server.faults = @(@($server.faults) | Where-Object { $_ -notin $script:SimServiceFaults[$svc] })
                }
            }
            if ($__simAction -in 'Start', 'Restart') {
                $component = $script:SimFrontEndComponents[$svc]
                if ($component -and (Test-SimComponentDown $server $component)) {
                    $warnings.Add("Service '$($script:SimServices[$server.role][$svc]) ($svc)' started and then stopped: the $component component of $__simServer is not Active.")
                    Set-SimServiceStatus $server $svc 'Stopped'
                } else {
                    Set-SimServiceStatus $server $svc 'Running'
                }
            }
            $objects.Add((New-SimServiceObject $__simServer $svc (Get-SimServiceStatus $server $svc) $server.role))
        }
        @{ Objects = $objects; Errors = $selection.Errors; Warnings = $warnings }
    }
}

# A server restart: every service back to its start-up state and in-process faults gone. A Mailbox
# server restarted while it holds active copies takes those databases down with it (they stay
# Dismounted; Active Manager had no chance to move them), and a fault that needs the server
# drained first (slow commands under its database load) survives the restart.
function Invoke-SimServerRestart($World, [string]$ServerName, [double]$Now) {
    $server = $World.servers[$ServerName]
    $activeCopies = @()
    foreach ($dbName in $World.databases.Keys) {
        $copy = $World.databases[$dbName].copies[$ServerName]
        if ($null -ne $copy -and $copy.status -in 'Mounted', 'Mounting', 'Dismounting', 'Dismounted') { $activeCopies += $dbName }
    }
    $server.services.Clear()
    foreach ($pair in @(@('PopProxy', 'MSExchangePOP3'), @('ImapProxy', 'MSExchangeIMAP4'))) {
        if ($script:SimServices[$server.role].Contains($pair[1]) -and (Test-SimComponentDown $server $pair[0])) { Set-SimServiceStatus $server $pair[1] 'Stopped' }
    }
    $keep = @()
    foreach ($fault in @($server.faults)) {
        if ($fault -eq 'SlowCommands' -and $activeCopies.Count -gt 0) { $keep += $fault }
    }
    $server.faults = $keep
    foreach ($dbName in $activeCopies) { $World.databases[$dbName].copies[$ServerName].status = 'Dismounted' }
    $server.bootTime = $Now
    return , $activeCopies
}
