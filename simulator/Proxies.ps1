# Proxies for the commands recovery steps use on servers: Invoke-Command, Get-Service,
# Restart-Service, Start-Service, Stop-Service, Restart-Computer.

# An exported function shadows a cmdlet of the same name in PowerShell's command lookup, which is
# what lets `Invoke-Command -ComputerName EX-CAS01 { Restart-Service MSExchangePOP3 }` act on the
# simulated EX-CAS01. The shadowing is deliberately narrow: only simulated server names (and
# services inside a simulated Invoke-Command) are simulated; everything else is handed, unchanged,
# to the real cmdlet through a steppable pipeline, as PowerShell's own proxy commands do.

# The simulated server a service command inside a simulated Invoke-Command acts on.
$script:SimRemoteServer = $null

# The simulated servers named by ComputerName, or $null if it names none or not only simulated ones.
function Resolve-SimComputerNames($ComputerName) {
    if ($null -eq $ComputerName -or @($ComputerName).Count -eq 0) { return $null }
    $world = Read-SimWorld
    $index = Get-SimServerIndex $world
    $names = [System.Collections.Generic.List[string]]::new()
    foreach ($computer in $ComputerName) {
        $name = $null
        if (-not $index.TryGetValue([string]$computer, [ref]$name)) { return $null }
        $names.Add($name)
    }
    return , $names.ToArray()
}

function Get-SimRealCommand([string]$Name) {
    $command = $ExecutionContext.InvokeCommand.GetCommand($Name, [System.Management.Automation.CommandTypes]::Cmdlet)
    if ($null -eq $command) {
        $short = $Name.Split('\')[-1]
        throw [System.Management.Automation.CommandNotFoundException]::new("The term '$short' is not recognized as a name of a cmdlet on this system, and the Exchange simulator only simulates it for simulated servers.")
    }
    return $command
}

# Runs a script block "on" simulated servers: reaches each (latency, unreachable), runs the block
# with service commands bound to that server, and tags the output with PSComputerName as remoting does.
function Invoke-SimRemoteCommand($Cmdlet, [string[]]$Targets, [scriptblock]$ScriptBlock, [object[]]$ArgumentList, [bool]$HideComputerName) {
    foreach ($target in $Targets) {
        $world = Read-SimWorld
        $name = Connect-SimServer $world (Get-SimServerIndex $world) $target
        if ($name -is [System.Management.Automation.ErrorRecord]) {
            $Cmdlet.WriteError((New-SimErrorRecord "[$target] $($name.Exception.Message)" $name.FullyQualifiedErrorId $name.CategoryInfo.Category $target 'System.Management.Automation.Remoting.PSRemotingTransportException'))
            continue
        }
        $previous = $script:SimRemoteServer
        $script:SimRemoteServer = $name
        try {
            $output = @(& $ScriptBlock @ArgumentList)
        } catch {
            # A terminating error on the remote side reaches the caller as a non-terminating one.
            $Cmdlet.WriteError($_)
            $output = @()
        } finally {
            $script:SimRemoteServer = $previous
        }
        foreach ($item in $output) {
            if ($null -ne $item -and -not $HideComputerName) {
                $item = [psobject]$item
                Add-Member -InputObject $item -NotePropertyName PSComputerName -NotePropertyValue $name -Force
            }
            $Cmdlet.WriteObject($item)
        }
    }
}

function Write-SimServiceResult($Cmdlet, $Result, [bool]$PassThru) {
    foreach ($record in $Result.Errors) { $Cmdlet.WriteError($record) }
    foreach ($warning in $Result.Warnings) { $Cmdlet.WriteWarning($warning) }
    if ($PassThru) { foreach ($object in $Result.Objects) { $Cmdlet.WriteObject($object) } }
}

# Invoke-Command keeps every parameter of the real cmdlet: its parameter block is generated from the
# cmdlet's own metadata, so local uses (scripts, sessions, jobs) bind exactly as before.
$script:SimInvokeCommandMeta = [System.Management.Automation.CommandMetadata]::new([Microsoft.PowerShell.Commands.InvokeCommandCommand])
. ([scriptblock]::Create(@"
function Invoke-Command {
    $([System.Management.Automation.ProxyCommand]::GetCmdletBindingAttribute($script:SimInvokeCommandMeta))
    param($([System.Management.Automation.ProxyCommand]::GetParamBlock($script:SimInvokeCommandMeta)))
    begin {
        `$__simTargets = `$null
        if (`$PSBoundParameters.ContainsKey('ComputerName')) { `$__simTargets = Resolve-SimComputerNames `$ComputerName }
        if (`$null -eq `$__simTargets) {
            `$__simReal = Get-SimRealCommand 'Microsoft.PowerShell.Core\Invoke-Command'
            `$__simPipe = { & `$__simReal @PSBoundParameters }.GetSteppablePipeline(`$MyInvocation.CommandOrigin)
            `$__simPipe.Begin(`$PSCmdlet)
        }
    }
    process {
        if (`$null -ne `$__simPipe) { `$__simPipe.Process(`$_) }
    }
    end {
        if (`$null -ne `$__simPipe) { `$__simPipe.End(); return }
        Invoke-SimRemoteCommand `$PSCmdlet `$__simTargets `$ScriptBlock `$ArgumentList ([bool]`$HideComputerName)
    }
}
"@))

function Get-Service {
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    param(
        [Parameter(ParameterSetName = 'Default', Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('ServiceName')][string[]]$Name,
        [Parameter(ValueFromPipelineByPropertyName)][Alias('Cn')][string[]]$ComputerName,
        [Alias('DS')][switch]$DependentServices,
        [Alias('SDO', 'ServicesDependedOn')][switch]$RequiredServices,
        [Parameter(ParameterSetName = 'DisplayName', Mandatory)][string[]]$DisplayName,
        [string[]]$Include,
        [string[]]$Exclude
    )
    begin {
        $__simTargets = if ($PSBoundParameters.ContainsKey('ComputerName')) { Resolve-SimComputerNames $ComputerName }
                        elseif ($script:SimRemoteServer) { , @($script:SimRemoteServer) }
        if ($null -eq $__simTargets) {
            $__simReal = Get-SimRealCommand 'Microsoft.PowerShell.Management\Get-Service'
            $__simPipe = { & $__simReal @PSBoundParameters }.GetSteppablePipeline($MyInvocation.CommandOrigin)
            $__simPipe.Begin($PSCmdlet)
        }
    }
    process {
        if ($null -ne $__simPipe) { $__simPipe.Process($_); return }
        foreach ($target in $__simTargets) {
            $world = Read-SimWorld
            $server = Connect-SimServer $world (Get-SimServerIndex $world) $target
            if ($server -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($server); continue }
            $selection = Select-SimServices $world $server $Name $DisplayName $Include $Exclude 'Get'
            foreach ($record in $selection.Errors) { $PSCmdlet.WriteError($record) }
            $role = $world.servers[$server].role
            foreach ($svc in $selection.Names) { New-SimServiceObject $server $svc (Get-SimServiceStatus $world.servers[$server] $svc) $role }
        }
    }
    end { if ($null -ne $__simPipe) { $__simPipe.End() } }
}

# Restart-, Start- and Stop-Service share one body: the simulated server is the one of the
# surrounding simulated Invoke-Command, or the one a piped simulated service object came from.
$script:SimServiceProxyBody = @'
    begin {
        $__simPipe = $null
        $__simServer = $script:SimRemoteServer
        if (-not $__simServer -and -not $MyInvocation.ExpectingInput) {
            $__simReal = Get-SimRealCommand 'Microsoft.PowerShell.Management\__VERB__-Service'
            $__simPipe = { & $__simReal @PSBoundParameters }.GetSteppablePipeline($MyInvocation.CommandOrigin)
            $__simPipe.Begin($PSCmdlet)
        }
    }
    process {
        if ($null -ne $__simPipe) { $__simPipe.Process($_); return }
        $__simTarget = $__simServer
        $__simNames = $Name
        if ($PSCmdlet.ParameterSetName -ne 'InputObject' -and (Test-SimServiceObject $_)) {
            # A piped simulated service binds by its Name property: it lives on its MachineName.
            $__simTarget = $_.MachineName
            $__simNames = @($_.Name)
        } elseif ($PSCmdlet.ParameterSetName -eq 'InputObject') {
            foreach ($__simItem in $InputObject) {
                if (Test-SimServiceObject $__simItem) {
                    $__simResult = Invoke-SimServiceAction $__simItem.MachineName '__VERB__' @($__simItem.Name) $null $null $null
                    Write-SimServiceResult $PSCmdlet $__simResult ([bool]$PassThru)
                } elseif ($__simServer) {
                    $__simResult = Invoke-SimServiceAction $__simServer '__VERB__' @([string]$__simItem.Name) $null $null $null
                    Write-SimServiceResult $PSCmdlet $__simResult ([bool]$PassThru)
                } else {
                    # Not the simulator's: hand this and the rest of the pipeline to the real cmdlet.
                    $__simReal = Get-SimRealCommand 'Microsoft.PowerShell.Management\__VERB__-Service'
                    $__simPipe = { & $__simReal @PSBoundParameters }.GetSteppablePipeline($MyInvocation.CommandOrigin)
                    $__simPipe.Begin($PSCmdlet)
                    $__simPipe.Process($_)
                    return
                }
            }
            return
        }
        if (-not $__simTarget) {
            $__simReal = Get-SimRealCommand 'Microsoft.PowerShell.Management\__VERB__-Service'
            $__simPipe = { & $__simReal @PSBoundParameters }.GetSteppablePipeline($MyInvocation.CommandOrigin)
            $__simPipe.Begin($PSCmdlet)
            $__simPipe.Process($_)
            return
        }
        if (-not $PSCmdlet.ShouldProcess("$__simTarget", "__VERB__-Service $($__simNames -join ', ')$($DisplayName -join ', ')")) { return }
        $__simResult = Invoke-SimServiceAction $__simTarget '__VERB__' $__simNames $DisplayName $Include $Exclude
        Write-SimServiceResult $PSCmdlet $__simResult ([bool]$PassThru)
    }
    end { if ($null -ne $__simPipe) { $__simPipe.End() } }
'@
$script:SimServiceProxyParams = @'
    [CmdletBinding(DefaultParameterSetName = 'Default', SupportsShouldProcess)]
    param(
        [Parameter(ParameterSetName = 'InputObject', Mandatory, Position = 0, ValueFromPipeline)]
        [psobject[]]$InputObject,
        [Parameter(ParameterSetName = 'Default', Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('ServiceName')][string[]]$Name,
        [Parameter(ParameterSetName = 'DisplayName', Mandatory)][string[]]$DisplayName,
        [switch]$Force,
        [switch]$PassThru,
        [string[]]$Include,
        [string[]]$Exclude__EXTRA__
    )
'@
foreach ($verb in 'Restart', 'Start', 'Stop') {
    $extra = if ($verb -eq 'Stop') { ",`n        [switch]`$NoWait" } else { '' }
    $text = "function $verb-Service {`n" + $script:SimServiceProxyParams.Replace('__EXTRA__', $extra) + "`n" + $script:SimServiceProxyBody.Replace('__VERB__', $verb) + "`n}"
    . ([scriptblock]::Create($text))
}

function Restart-Computer {
    [CmdletBinding(DefaultParameterSetName = 'DefaultSet', SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('CN', '__SERVER', 'Server', 'IPAddress')][string[]]$ComputerName,
        [switch]$Wait,
        [ValidateSet('Wmi', 'WinRM', 'PowerShell')][string]$For,
        [int]$Timeout,
        [int16]$Delay,
        [switch]$Force,
        [pscredential]$Credential,
        [string]$Protocol,
        [string]$WsmanAuthentication,
        [switch]$AsJob,
        [int]$ThrottleLimit
    )
    begin {
        $__simPipe = $null
        $__simTargets = $null
        if ($PSBoundParameters.ContainsKey('ComputerName') -and -not $MyInvocation.ExpectingInput) { $__simTargets = Resolve-SimComputerNames $ComputerName }
        elseif (-not $PSBoundParameters.ContainsKey('ComputerName') -and $script:SimRemoteServer) { $__simTargets = , @($script:SimRemoteServer) }
        if ($null -eq $__simTargets -and -not $MyInvocation.ExpectingInput) {
            $__simReal = Get-SimRealCommand 'Microsoft.PowerShell.Management\Restart-Computer'
            $__simPipe = { & $__simReal @PSBoundParameters }.GetSteppablePipeline($MyInvocation.CommandOrigin)
            $__simPipe.Begin($PSCmdlet)
        }
    }
    process {
        if ($null -ne $__simPipe) { $__simPipe.Process($_); return }
        $targets = if ($null -ne $__simTargets) { $__simTargets } else { Resolve-SimComputerNames $ComputerName }
        if ($null -eq $targets) {
            $__simReal = Get-SimRealCommand 'Microsoft.PowerShell.Management\Restart-Computer'
            $__simPipe = { & $__simReal @PSBoundParameters }.GetSteppablePipeline($MyInvocation.CommandOrigin)
            $__simPipe.Begin($PSCmdlet)
            $__simPipe.Process($_)
            return
        }
        foreach ($target in $targets) {
            $world = Read-SimWorld
            $name = Connect-SimServer $world (Get-SimServerIndex $world) $target
            if ($name -is [System.Management.Automation.ErrorRecord]) {
                $PSCmdlet.WriteError((New-SimErrorRecord "Failed to restart the computer $target with the following error message: $($name.Exception.Message)" 'RestartcomputerFailed,Microsoft.PowerShell.Commands.RestartComputerCommand' `
                    ([System.Management.Automation.ErrorCategory]::OperationStopped) $target))
                continue
            }
            if (-not $PSCmdlet.ShouldProcess($name, 'Restart-Computer')) { continue }
            $downed = Update-SimWorld -ArgumentList @($name) -Action {
                param($__simWorld, $__simNow, $__simName)
                Invoke-SimServerRestart $__simWorld $__simName $__simNow
            }
            foreach ($db in $downed) {
                # Windows says nothing about this; Get-MailboxDatabaseCopyStatus shows it.
                Write-Verbose "$name restarted while it held the active copy of $db`: the database is dismounted."
            }
        }
    }
    end { if ($null -ne $__simPipe) { $__simPipe.End() } }
}
