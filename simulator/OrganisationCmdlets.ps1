# The organisation's cmdlets: servers, Mailbox servers and database copies, POP3/IMAP4 settings,
# server components and Test-PopConnectivity, with Exchange's parameters and output shapes.

function Get-SimServerNames($World, $Identity, [string]$Role) {
    if ($null -eq $Identity -or @($Identity).Count -eq 0) {
        return @($World.servers.Keys | Where-Object { -not $Role -or $World.servers[$_].role -eq $Role })
    }
    $index = Get-SimServerIndex $World
    $names = foreach ($id in $Identity) {
        $text = Get-SimIdentityText $id
        if ($text.Contains('*')) {
            @($World.servers.Keys | Where-Object { $_ -like $text -and (-not $Role -or $World.servers[$_].role -eq $Role) })
        } else {
            $name = $null
            if ($index.TryGetValue($text, [ref]$name) -and (-not $Role -or $World.servers[$name].role -eq $Role)) { $name }
            else { New-SimNotFoundError $text }
        }
    }
    return @($names)
}

function Get-ExchangeServer {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, ValueFromPipeline)][object[]]$Identity,
        [string]$Domain,
        [switch]$Status,
        [string]$DomainController
    )
    begin { $world = Read-SimWorld }
    process {
        foreach ($name in (Get-SimServerNames $world $Identity)) {
            if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); continue }
            $isMailbox = $world.servers[$name].role -eq 'Mailbox'
            New-SimObject 'Microsoft.Exchange.Data.Directory.Management.ExchangeServer' ([ordered]@{
                Name                      = $name
                Fqdn                      = "$name.$script:SimDomain"
                ServerRole                = $world.servers[$name].role
                Edition                   = 'Enterprise'
                AdminDisplayVersion       = $script:SimVersion
                Site                      = $script:SimSite
                Domain                    = $script:SimDomain
                IsMailboxServer           = $isMailbox
                IsClientAccessServer      = -not $isMailbox
                IsHubTransportServer      = $isMailbox
                IsFrontendTransportServer = -not $isMailbox
                IsUnifiedMessagingServer  = $isMailbox
                IsEdgeServer              = $false
                ExchangeVersion           = '0.1 (8.0.535.0)'
                Identity                  = $name
            })
        }
    }
}

function Get-MailboxServer {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, ValueFromPipeline)][object[]]$Identity,
        [switch]$Status,
        [string]$DomainController
    )
    begin { $world = Read-SimWorld }
    process {
        foreach ($name in (Get-SimServerNames $world $Identity 'Mailbox')) {
            if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); continue }
            $server = $world.servers[$name]
            New-SimObject 'Microsoft.Exchange.Data.Directory.Management.MailboxServer' ([ordered]@{
                Name                                     = $name
                DatabaseCopyActivationDisabledAndMoveNow = [bool]$server.activationDisabled
                DatabaseCopyAutoActivationPolicy         = $server.autoActivationPolicy
                DatabaseAvailabilityGroup                = $server.dag
                AutoDatabaseMountDial                    = $(if ($server.autoDatabaseMountDial) { $server.autoDatabaseMountDial } else { 'GoodAvailability' })
                MaximumActiveDatabases                   = $server.maximumActiveDatabases
                MaximumPreferredActiveDatabases          = $server.maximumPreferredActiveDatabases
                Identity                                 = $name
            })
        }
    }
}

# Moves every active copy off a Mailbox server to the best healthy copy elsewhere (lowest activation
# preference on a server that accepts activation); returns the databases that could not move.
function Move-SimActiveCopies($World, [string]$ServerName) {
    $stuck = @()
    foreach ($dbName in $World.databases.Keys) {
        $copies = $World.databases[$dbName].copies
        $copy = $copies[$ServerName]
        if ($null -eq $copy -or $copy.status -notin 'Mounted', 'Dismounted', 'Mounting', 'Dismounting') { continue }
        $target = $null
        foreach ($candidate in ($copies.Keys | Sort-Object { [int]$copies[$_].preference })) {
            if ($candidate -eq $ServerName -or $copies[$candidate].status -ne 'Healthy') { continue }
            $other = $World.servers[$candidate]
            if ($other.activationDisabled -or $other.autoActivationPolicy -eq 'Blocked' -or (Get-SimServiceStatus $other 'MSExchangeIS') -ne 'Running') { continue }
            $target = $candidate
            break
        }
        if ($null -eq $target) { $stuck += $dbName; continue }
        $copies[$target].status = 'Mounted'
        $copy.status = 'Healthy'
    }
    return , $stuck
}

function Set-MailboxServer {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][object]$Identity,
        [bool]$DatabaseCopyActivationDisabledAndMoveNow,
        [ValidateSet('Unrestricted', 'IntrasiteOnly', 'Blocked')][string]$DatabaseCopyAutoActivationPolicy,
        [ValidateSet('Lossless', 'GoodAvailability', 'BestAvailability')][string]$AutoDatabaseMountDial,
        [System.Nullable[int]]$MaximumActiveDatabases,
        [System.Nullable[int]]$MaximumPreferredActiveDatabases,
        [bool]$MessageTrackingLogEnabled,
        [string]$DomainController
    )
    process {
        $world = Read-SimWorld
        $names = @(Get-SimServerNames $world @($Identity) 'Mailbox')
        if ($names.Count -ne 1 -or $names[0] -is [System.Management.Automation.ErrorRecord]) {
            $PSCmdlet.WriteError($(if ($names[0] -is [System.Management.Automation.ErrorRecord]) { $names[0] } else { New-SimNotFoundError (Get-SimIdentityText $Identity) }))
            return
        }
        $name = $names[0]
        if (-not $PSCmdlet.ShouldProcess($name, 'Set-MailboxServer')) { return }
        $stuck = Update-SimWorld -ArgumentList @($name, $PSBoundParameters) -Action {
            param($__simWorld, $__simNow, $__simName, $__simBound)
            $server = $__simWorld.servers[$__simName]
            $moved = @()
            if ($__simBound.ContainsKey('DatabaseCopyAutoActivationPolicy')) { $server.autoActivationPolicy = $__simBound.DatabaseCopyAutoActivationPolicy }
            if ($__simBound.ContainsKey('AutoDatabaseMountDial')) { $server.autoDatabaseMountDial = $__simBound.AutoDatabaseMountDial }
            if ($__simBound.ContainsKey('MaximumActiveDatabases')) { $server.maximumActiveDatabases = $__simBound.MaximumActiveDatabases }
            if ($__simBound.ContainsKey('MaximumPreferredActiveDatabases')) { $server.maximumPreferredActiveDatabases = $__simBound.MaximumPreferredActiveDatabases }
            if ($__simBound.ContainsKey('DatabaseCopyActivationDisabledAndMoveNow')) {
                $server.activationDisabled = [bool]$__simBound.DatabaseCopyActivationDisabledAndMoveNow
                # $true moves the active copies off now; $false only allows activation again (the
                # databases stay where they are until an administrator or rebalancing moves them).
                if ($server.activationDisabled) { $moved = Move-SimActiveCopies $__simWorld $__simName }
            }
            , $moved
        }
        foreach ($db in $stuck) {
            Write-Warning "Database $db could not be moved off $name`: no other server has a healthy copy that can be activated."
        }
    }
}

# What Get-MailboxDatabaseCopyStatus shows for a copy: a copy on a server whose Information Store
# or Replication service is stopped cannot be Mounted / Healthy.
function Get-SimCopyStatus($World, [string]$Database, [string]$ServerName) {
    $copy = $World.databases[$Database].copies[$ServerName]
    $server = $World.servers[$ServerName]
    $status = $copy.status
    if ((Get-SimServiceStatus $server 'MSExchangeIS') -ne 'Running' -and $status -eq 'Mounted') { return 'Dismounted' }
    if ((Get-SimServiceStatus $server 'MSExchangeRepl') -ne 'Running' -and $status -eq 'Healthy') { return 'ServiceDown' }
    return $status
}

function Get-MailboxDatabaseCopyStatus {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, ValueFromPipeline)][object]$Identity,
        [object]$Server,
        [switch]$Active,
        [switch]$Local,
        [switch]$ConnectionStatus,
        [switch]$ExtendedErrorInfo,
        [switch]$UseServerCache,
        [string]$DomainController
    )
    process {
        $world = Read-SimWorld
        $now = Get-SimNow $world
        $serverFilter = $null
        if ($PSBoundParameters.ContainsKey('Server')) {
            $serverFilter = Connect-SimServer $world (Get-SimServerIndex $world) $Server 'Mailbox'
            if ($serverFilter -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($serverFilter); return }
        }
        $dbPattern = '*'; $copyPattern = '*'
        if ($null -ne $Identity) {
            $parts = (Get-SimIdentityText $Identity).Split('\')
            $dbPattern = $parts[0]
            if ($parts.Count -ge 2) { $copyPattern = $parts[1] }
        }
        $found = $false
        foreach ($dbName in $world.databases.Keys) {
            if ($dbName -notlike $dbPattern) { continue }
            $copies = $world.databases[$dbName].copies
            $activeServer = Get-SimActiveCopyServer $world $dbName
            foreach ($serverName in ($copies.Keys | Sort-Object { [int]$copies[$_].preference })) {
                if ($serverName -notlike $copyPattern) { continue }
                if ($serverFilter -and $serverName -ne $serverFilter) { continue }
                $isActive = $serverName -eq $activeServer
                if ($Active -and -not $isActive) { continue }
                $found = $true
                $status = Get-SimCopyStatus $world $dbName $serverName
                $logTime = ConvertFrom-SimEpoch ($now - 20)
                New-SimObject 'Microsoft.Exchange.Management.SystemConfigurationTasks.DatabaseCopyStatusEntry' ([ordered]@{
                    Name                      = "$dbName\$serverName"
                    Identity                  = "$dbName\$serverName"
                    DatabaseName              = $dbName
                    Status                    = $status
                    MailboxServer             = $serverName
                    ActiveDatabaseCopy        = $(if ($activeServer) { $activeServer.ToLowerInvariant() } else { $null })
                    ActiveCopy                = $isActive
                    ActivationPreference      = [int]$copies[$serverName].preference
                    ActivationSuspended       = $false
                    ActionInitiator           = 'Unknown'
                    ErrorMessage              = $(if ($status -eq 'Dismounted') { "The database $dbName is dismounted on $serverName." } else { $null })
                    ErrorEventId              = $null
                    SuspendComment            = $null
                    CopyQueueLength           = 0
                    ReplayQueueLength         = 0
                    LatestAvailableLogTime    = $logTime
                    LastCopiedLogTime         = $logTime
                    LastInspectedLogTime      = $logTime
                    LastReplayedLogTime       = $logTime
                    ContentIndexState         = 'Healthy'
                    ContentIndexErrorMessage  = $null
                    IncomingLogCopyingNetwork = $null
                    SeedingNetwork            = $null
                })
            }
        }
        if (-not $found -and $null -ne $Identity -and -not (Get-SimIdentityText $Identity).Contains('*')) {
            $PSCmdlet.WriteError((New-SimNotFoundError (Get-SimIdentityText $Identity)))
        }
    }
}

# POP3 and IMAP4 settings share one shape (Pop3AdConfiguration / Imap4AdConfiguration).
function New-SimProtocolSettings($World, [string]$ServerName, [string]$Protocol) {
    $isPop = $Protocol -eq 'POP3'
    $stored = if ($isPop) { $World.servers[$ServerName].pop } else { $World.servers[$ServerName].imap }
    $isMailbox = $World.servers[$ServerName].role -eq 'Mailbox'
    $port = if ($isPop) { if ($isMailbox) { 1995 } else { 995 } } else { if ($isMailbox) { 1993 } else { 993 } }
    $plainPort = if ($isPop) { if ($isMailbox) { 1110 } else { 110 } } else { if ($isMailbox) { 1143 } else { 143 } }
    $fqdn = "$($ServerName.ToLowerInvariant()).$script:SimDomain"
    $settings = [ordered]@{
        ProtocolLogEnabled                = $false
        LogFileLocation                   = $(if ($isPop) { $script:SimPopLogFolder } else { $script:SimImapLogFolder })
        LogFileRollOverSettings           = 'Daily'
        LogPerFileSizeQuota               = 'Unlimited'
        LoginType                         = 'SecureLogin'
        Server                            = $ServerName
        ProtocolName                      = $Protocol
        Name                              = '1'
        Identity                          = "$ServerName\1"
        Banner                            = "The Microsoft Exchange $Protocol service is ready." 
        AuthenticatedConnectionTimeout    = '00:30:00'
        PreAuthenticatedConnectionTimeout = '00:01:00'
        MaxConnections                    = 2147483647
        MaxConnectionFromSingleIP         = 2147483647
        MaxConnectionsPerUser             = 16
        MaxCommandSize                    = 512
        ProxyTargetPort                   = $(if ($isPop) { 1995 } else { 1993 })
        SSLBindings                       = @("[::]:$port", "0.0.0.0:$port")
        UnencryptedOrTLSBindings          = @("[::]:$plainPort", "0.0.0.0:$plainPort")
        InternalConnectionSettings        = @("$($fqdn):$($port):SSL", "$($fqdn):$($plainPort):TLS")
        ExternalConnectionSettings        = @()
        X509CertificateName               = $fqdn
        CalendarItemRetrievalOption       = 'iCalendar'
        MessageRetrievalMimeFormat        = 'BestBodyFormat'
        MessageRetrievalSortOrder         = 'Ascending'
        ShowHiddenFoldersEnabled          = $false
        OwaServerUrl                      = $null
        EnableExactRFC822Size             = $false
        EnableGSSAPIAndNTLMAuth           = $true
        EnforceCertificateErrors          = $false
        ExtendedProtectionPolicy          = 'None'
        SuppressReadReceipt               = $false
    }
    foreach ($key in $stored.Keys) { $settings[$key] = $stored[$key] }
    $type = if ($isPop) { 'Microsoft.Exchange.Data.Directory.SystemConfiguration.Pop3AdConfiguration' } else { 'Microsoft.Exchange.Data.Directory.SystemConfiguration.Imap4AdConfiguration' }
    return New-SimObject $type $settings
}

function Get-SimProtocolSettings($Cmdlet, $Server, [string]$Protocol) {
    $world = Read-SimWorld
    $index = Get-SimServerIndex $world
    $targets = if ($null -ne $Server) { @($Server) } else { @($world.servers.Keys) }
    foreach ($target in $targets) {
        $name = Connect-SimServer $world $index $target
        if ($name -is [System.Management.Automation.ErrorRecord]) { $Cmdlet.WriteError($name); continue }
        New-SimProtocolSettings $world $name $Protocol
    }
}

$script:SimProtocolSettingNames = @(
    'ProtocolLogEnabled', 'LogFileLocation', 'LogFileRollOverSettings', 'LogPerFileSizeQuota', 'LoginType',
    'AuthenticatedConnectionTimeout', 'PreAuthenticatedConnectionTimeout', 'Banner', 'CalendarItemRetrievalOption',
    'EnableExactRFC822Size', 'EnableGSSAPIAndNTLMAuth', 'EnforceCertificateErrors', 'ExtendedProtectionPolicy',
    'ExternalConnectionSettings', 'InternalConnectionSettings', 'MaxCommandSize', 'MaxConnectionFromSingleIP',
    'MaxConnections', 'MaxConnectionsPerUser', 'MessageRetrievalMimeFormat', 'MessageRetrievalSortOrder',
    'OwaServerUrl', 'ProxyTargetPort', 'SSLBindings', 'SuppressReadReceipt', 'UnencryptedOrTLSBindings', 'X509CertificateName')

function Set-SimProtocolSettings($Cmdlet, $Bound, [string]$Protocol) {
    $world = Read-SimWorld
    $serviceText = if ($Protocol -eq 'POP3') { 'POP3' } else { 'IMAP4' }
    if (-not $Bound.ContainsKey('Server')) {
        $Cmdlet.WriteError((New-SimErrorRecord "The Exchange simulator has no local server: give -Server." 'ServerRequired' ([System.Management.Automation.ErrorCategory]::InvalidArgument) $null))
        return
    }
    $name = Connect-SimServer $world (Get-SimServerIndex $world) $Bound.Server
    if ($name -is [System.Management.Automation.ErrorRecord]) { $Cmdlet.WriteError($name); return }
    $changes = [ordered]@{}
    foreach ($key in $Bound.Keys) {
        if ($script:SimProtocolSettingNames -contains $key) { $changes[$key] = $Bound[$key] }
    }
    [void](Update-SimWorld -ArgumentList @($name, $changes, $Protocol) -Action {
        param($__simWorld, $__simNow, $__simName, $__simChanges, $__simProtocol)
        $target = if ($__simProtocol -eq 'POP3') { $__simWorld.servers[$__simName].pop } else { $__simWorld.servers[$__simName].imap }
        foreach ($key in $__simChanges.Keys) { $target[$key] = $__simChanges[$key] }
    })
    # Exchange reads these settings when the services start.
    Write-Warning "Changes to $serviceText settings will only take effect after all Microsoft Exchange $serviceText services are restarted on server $name."
}

function Get-PopSettings {
    [CmdletBinding()]
    param([object]$Server, [string]$DomainController)
    Get-SimProtocolSettings $PSCmdlet $Server 'POP3'
}

function Get-ImapSettings {
    [CmdletBinding()]
    param([object]$Server, [string]$DomainController)
    Get-SimProtocolSettings $PSCmdlet $Server 'IMAP4'
}

function Set-PopSettings {
    [CmdletBinding()]
    param(
        [object]$Server, [bool]$ProtocolLogEnabled, [string]$LogFileLocation,
        [ValidateSet('Hourly', 'Daily', 'Weekly', 'Monthly')][string]$LogFileRollOverSettings, [string]$LogPerFileSizeQuota,
        [ValidateSet('PlainTextLogin', 'PlainTextAuthentication', 'SecureLogin')][string]$LoginType,
        [string]$AuthenticatedConnectionTimeout, [string]$PreAuthenticatedConnectionTimeout, [string]$Banner,
        [ValidateSet('iCalendar', 'IntranetUrl', 'InternetUrl', 'Custom')][string]$CalendarItemRetrievalOption,
        [string]$DomainController, [bool]$EnableExactRFC822Size, [bool]$EnableGSSAPIAndNTLMAuth, [bool]$EnforceCertificateErrors,
        [ValidateSet('None', 'Allow', 'Require')][string]$ExtendedProtectionPolicy,
        [string[]]$ExternalConnectionSettings, [string[]]$InternalConnectionSettings, [int]$MaxCommandSize,
        [int]$MaxConnectionFromSingleIP, [int]$MaxConnections, [int]$MaxConnectionsPerUser,
        [string]$MessageRetrievalMimeFormat, [ValidateSet('Ascending', 'Descending')][string]$MessageRetrievalSortOrder,
        [string]$OwaServerUrl, [int]$ProxyTargetPort, [string[]]$SSLBindings, [bool]$SuppressReadReceipt,
        [string[]]$UnencryptedOrTLSBindings, [string]$X509CertificateName
    )
    Set-SimProtocolSettings $PSCmdlet $PSBoundParameters 'POP3'
}

function Set-ImapSettings {
    [CmdletBinding()]
    param(
        [object]$Server, [bool]$ProtocolLogEnabled, [string]$LogFileLocation,
        [ValidateSet('Hourly', 'Daily', 'Weekly', 'Monthly')][string]$LogFileRollOverSettings, [string]$LogPerFileSizeQuota,
        [ValidateSet('PlainTextLogin', 'PlainTextAuthentication', 'SecureLogin')][string]$LoginType,
        [string]$AuthenticatedConnectionTimeout, [string]$PreAuthenticatedConnectionTimeout, [string]$Banner,
        [ValidateSet('iCalendar', 'IntranetUrl', 'InternetUrl', 'Custom')][string]$CalendarItemRetrievalOption,
        [string]$DomainController, [bool]$EnableExactRFC822Size, [bool]$EnableGSSAPIAndNTLMAuth, [bool]$EnforceCertificateErrors,
        [ValidateSet('None', 'Allow', 'Require')][string]$ExtendedProtectionPolicy,
        [string[]]$ExternalConnectionSettings, [string[]]$InternalConnectionSettings, [int]$MaxCommandSize,
        [int]$MaxConnectionFromSingleIP, [int]$MaxConnections, [int]$MaxConnectionsPerUser,
        [string]$MessageRetrievalMimeFormat, [ValidateSet('Ascending', 'Descending')][string]$MessageRetrievalSortOrder,
        [string]$OwaServerUrl, [int]$ProxyTargetPort, [string[]]$SSLBindings, [bool]$SuppressReadReceipt,
        [string[]]$UnencryptedOrTLSBindings, [string]$X509CertificateName
    )
    Set-SimProtocolSettings $PSCmdlet $PSBoundParameters 'IMAP4'
}

function Get-ServerComponentState {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][object]$Identity,
        [string]$Component,
        [string]$DomainController
    )
    process {
        $world = Read-SimWorld
        $name = Connect-SimServer $world (Get-SimServerIndex $world) $Identity
        if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); return }
        $server = $world.servers[$name]
        $matched = $false
        foreach ($componentName in $script:SimComponents.Keys) {
            if ($Component -and $componentName -notlike $Component) { continue }
            $matched = $true
            $requesters = $server.components[$componentName]
            $states = @(if ($null -ne $requesters) {
                foreach ($requester in $requesters.Keys) {
                    [pscustomobject]@{ Requester = $requester; State = $requesters[$requester].state; Timestamp = ConvertFrom-SimEpoch ([double]$requesters[$requester].at) }
                }
            })
            New-SimObject 'Microsoft.Exchange.Management.SystemConfigurationTasks.ServerComponentStatePresentationObject' ([ordered]@{
                Server       = "$name.$script:SimDomain"
                Component    = $componentName
                State        = Get-SimComponentState $server $componentName
                LocalStates  = $states
                RemoteStates = $states
                Identity     = "$name.$script:SimDomain"
            })
        }
        if (-not $matched) {
            $PSCmdlet.WriteError((New-SimErrorRecord "The component '$Component' is not a server component. Components: $($script:SimComponents.Keys -join ', ')." 'ComponentNotFound' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Component))
        }
    }
}

function Set-ServerComponentState {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)][object]$Identity,
        [Parameter(Mandatory)][string]$Component,
        [Parameter(Mandatory)][ValidateSet('Active', 'Inactive', 'Draining')][string]$State,
        [Parameter(Mandatory)][ValidateSet('HealthApi', 'Maintenance', 'Sidelined', 'Functional', 'Deployment')][string]$Requester,
        [switch]$LocalOnly,
        [switch]$RemoteOnly,
        [int]$TimeoutInSeconds,
        [string]$DomainController
    )
    process {
        $world = Read-SimWorld
        $name = Connect-SimServer $world (Get-SimServerIndex $world) $Identity
        if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); return }
        $canonical = @($script:SimComponents.Keys | Where-Object { $_ -eq $Component })
        if ($canonical.Count -ne 1) {
            $PSCmdlet.WriteError((New-SimErrorRecord "The component '$Component' is not a server component. Components: $($script:SimComponents.Keys -join ', ')." 'ComponentNotFound' ([System.Management.Automation.ErrorCategory]::ObjectNotFound) $Component))
            return
        }
        if (-not $PSCmdlet.ShouldProcess("$name $($canonical[0])", "Set state $State for $Requester")) { return }
        [void](Update-SimWorld -ArgumentList @($name, $canonical[0], $State, $Requester) -Action {
            param($__simWorld, $__simNow, $__simName, $__simComponent, $__simState, $__simRequester)
            $server = $__simWorld.servers[$__simName]
            if ($null -eq $server.components[$__simComponent]) { $server.components[$__simComponent] = [ordered]@{} }
            $server.components[$__simComponent][$__simRequester] = [ordered]@{ state = $__simState; at = $__simNow }
            # The POP3 and IMAP4 front ends stop by design while their proxy component (or the whole
            # server) is not Active; they are not started again when it comes back.
            foreach ($pair in @(@('PopProxy', 'MSExchangePOP3'), @('ImapProxy', 'MSExchangeIMAP4'))) {
                if ($script:SimServices[$server.role].Contains($pair[1]) -and (Test-SimComponentDown $server $pair[0])) { Set-SimServiceStatus $server $pair[1] 'Stopped' }
            }
        })
    }
}

function Test-PopConnectivity {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0, ValueFromPipeline)][object[]]$ClientAccessServer,
        [object]$MailboxServer,
        [pscredential]$MailboxCredential,
        [ValidateSet('PlainText', 'Ssl', 'Tls')][string]$ConnectionType = 'Ssl',
        [switch]$LightMode,
        [switch]$MonitoringContext,
        [int]$PerConnectionTimeout = 24,
        [int]$PortClientAccessServer,
        [switch]$ResetTestAccountCredentials,
        [int]$Timeout = 180,
        [switch]$TrustAnySSLCertificate,
        [string]$DomainController
    )
    process {
        $world = Read-SimWorld
        $index = Get-SimServerIndex $world
        $targets = if ($null -ne $ClientAccessServer) { @($ClientAccessServer) } else { @(Get-SimServerNames $world $null 'ClientAccess') }
        foreach ($target in $targets) {
            $name = Connect-SimServer $world $index $target 'ClientAccess'
            if ($name -is [System.Management.Automation.ErrorRecord]) { $PSCmdlet.WriteError($name); continue }
            # The test logs on the way the customer touch point probe does.
            $outcome = Get-SimProbeOutcome $world $name 'POP\PopCTPProbe'
            $ok = $outcome.r -eq 'Succeeded'
            New-SimObject 'Microsoft.Exchange.Monitoring.PopImapConnectivityOutcome' ([ordered]@{
                CasServer  = $name
                LocalSite  = 'Default-First-Site-Name'
                Scenario   = 'Test POP3 Connectivity'
                Result     = $(if ($ok) { 'Success' } else { 'Failure' })
                Latency    = $(if ($ok) { [TimeSpan]::FromMilliseconds($outcome.s) } else { [TimeSpan]::FromMilliseconds(-1) })
                Error      = $(if ($ok) { $null } else { $outcome.e })
            })
        }
    }
}
