# The simulated Exchange 2013 organisation: its servers, services, components, databases, the
# Managed Availability probes and monitors they run, and the scenarios that break it.

$script:SimDomain = 'contoso.com'
$script:SimSite = 'contoso.com/Configuration/Sites/Default-First-Site-Name'
$script:SimVersion = 'Version 15.0 (Build 1497.2)'
$script:SimPopLogFolder = 'C:\Program Files\Microsoft\Exchange Server\V15\Logging\Pop3'
$script:SimImapLogFolder = 'C:\Program Files\Microsoft\Exchange Server\V15\Logging\Imap4'

# Services per role (Exchange 2013: Client Access and Mailbox are separate roles). POP3 and IMAP4
# are Manual out of the box; this organisation serves POP and IMAP, so its admins set them to
# Automatic, which is also what makes a server restart bring them back.
$script:SimServices = @{
    ClientAccess = [ordered]@{
        MSExchangeADTopology       = 'Microsoft Exchange Active Directory Topology'
        MSExchangeDiagnostics      = 'Microsoft Exchange Diagnostics'
        MSExchangeFrontEndTransport = 'Microsoft Exchange Frontend Transport'
        MSExchangeHM               = 'Microsoft Exchange Health Manager'
        MSExchangeIMAP4            = 'Microsoft Exchange IMAP4'
        MSExchangePOP3             = 'Microsoft Exchange POP3'
        MSExchangeServiceHost      = 'Microsoft Exchange Service Host'
        MSExchangeUMCR             = 'Microsoft Exchange Unified Messaging Call Router'
        W3SVC                      = 'World Wide Web Publishing Service'
        WinRM                      = 'Windows Remote Management (WS-Management)'
    }
    Mailbox = [ordered]@{
        MSExchangeADTopology        = 'Microsoft Exchange Active Directory Topology'
        MSExchangeDagMgmt           = 'Microsoft Exchange DAG Management'
        MSExchangeDelivery          = 'Microsoft Exchange Mailbox Transport Delivery'
        MSExchangeDiagnostics       = 'Microsoft Exchange Diagnostics'
        MSExchangeHM                = 'Microsoft Exchange Health Manager'
        MSExchangeIMAP4BE           = 'Microsoft Exchange IMAP4 Backend'
        MSExchangeIS                = 'Microsoft Exchange Information Store'
        MSExchangeMailboxAssistants = 'Microsoft Exchange Mailbox Assistants'
        MSExchangeMailboxReplication = 'Microsoft Exchange Mailbox Replication'
        MSExchangePOP3BE            = 'Microsoft Exchange POP3 Backend'
        MSExchangeRepl              = 'Microsoft Exchange Replication'
        MSExchangeRPC               = 'Microsoft Exchange RPC Client Access'
        MSExchangeServiceHost       = 'Microsoft Exchange Service Host'
        MSExchangeSubmission        = 'Microsoft Exchange Mailbox Transport Submission'
        MSExchangeThrottling        = 'Microsoft Exchange Throttling'
        MSExchangeTransport         = 'Microsoft Exchange Transport'
        MSExchangeUM                = 'Microsoft Exchange Unified Messaging'
        W3SVC                       = 'World Wide Web Publishing Service'
        WinRM                       = 'Windows Remote Management (WS-Management)'
    }
}

# Server components and their out-of-the-box state on an on-premises server.
$script:SimComponents = [ordered]@{
    ServerWideOffline = 'Active'; HubTransport = 'Active'; FrontendTransport = 'Active'; Monitoring = 'Active'
    RecoveryActionsEnabled = 'Active'; AutoDiscoverProxy = 'Active'; ActiveSyncProxy = 'Active'; EcpProxy = 'Active'
    EwsProxy = 'Active'; ImapProxy = 'Active'; OabProxy = 'Active'; OwaProxy = 'Active'; PopProxy = 'Active'
    PushNotificationsProxy = 'Active'; RpsProxy = 'Active'; RwsProxy = 'Active'; RpcProxy = 'Active'
    UMCallRouter = 'Active'; XropProxy = 'Active'; HttpProxyAvailabilityGroup = 'Active'
    ForwardSyncDaemon = 'Inactive'; ProvisioningRps = 'Inactive'; MapiProxy = 'Active'; EdgeTransport = 'Active'
    HighAvailability = 'Active'; SharedCache = 'Active'
}
$script:SimRequesters = @('HealthApi', 'Maintenance', 'Sidelined', 'Functional', 'Deployment')

# Probes: how often each runs (seconds). From Exchange 2013's definitions where known (CTP 240 s,
# ProxyTest 60 s); DeepTest and SelfTest cadences are chosen so their thresholds can be met.
$script:SimProbes = [ordered]@{
    'POP\PopCTPProbe'                 = @{ HealthSet = 'POP'; Name = 'PopCTPProbe'; TargetResource = 'MSExchangePOP3'; Role = 'ClientAccess'; Interval = 240 }
    'POP.Proxy\PopProxyTestProbe'     = @{ HealthSet = 'POP.Proxy'; Name = 'PopProxyTestProbe'; TargetResource = 'MSExchangePOP3'; Role = 'ClientAccess'; Interval = 60 }
    'IMAP\ImapCTPProbe'               = @{ HealthSet = 'IMAP'; Name = 'ImapCTPProbe'; TargetResource = 'MSExchangeIMAP4'; Role = 'ClientAccess'; Interval = 240 }
    'IMAP.Proxy\ImapProxyTestProbe'   = @{ HealthSet = 'IMAP.Proxy'; Name = 'ImapProxyTestProbe'; TargetResource = 'MSExchangeIMAP4'; Role = 'ClientAccess'; Interval = 60 }
    'OWA.Proxy\OWAProxyTestProbe'     = @{ HealthSet = 'OWA.Proxy'; Name = 'OWAProxyTestProbe'; TargetResource = 'MSExchangeOWAAppPool'; Role = 'ClientAccess'; Interval = 60 }
    'POP.Protocol\PopDeepTestProbe'   = @{ HealthSet = 'POP.Protocol'; Name = 'PopDeepTestProbe'; TargetResource = 'MSExchangePOP3BE'; Role = 'Mailbox'; Interval = 180 }
    'POP.Protocol\PopSelfTestProbe'   = @{ HealthSet = 'POP.Protocol'; Name = 'PopSelfTestProbe'; TargetResource = 'MSExchangePOP3BE'; Role = 'Mailbox'; Interval = 60 }
    'IMAP.Protocol\ImapDeepTestProbe' = @{ HealthSet = 'IMAP.Protocol'; Name = 'ImapDeepTestProbe'; TargetResource = 'MSExchangeIMAP4BE'; Role = 'Mailbox'; Interval = 180 }
    'IMAP.Protocol\ImapSelfTestProbe' = @{ HealthSet = 'IMAP.Protocol'; Name = 'ImapSelfTestProbe'; TargetResource = 'MSExchangeIMAP4BE'; Role = 'Mailbox'; Interval = 60 }
}

# Monitors: each watches one probe and trips after Threshold consecutive bad results (Exchange's
# SelfTest/ProxyTest: 4 failures in 240 s; DeepTest/CTP: 5 in 900 s; the probe runs at least once
# per such window, so consecutive runs stand for the window). "Bad" is a probe that did not
# succeed, or for the command-time monitor a sample over 60 s.
$script:SimMonitors = @(
    @{ Name = 'PopCTPMonitor'; HealthSet = 'POP'; Probe = 'POP\PopCTPProbe'; Threshold = 5; Kind = 'Failure'; Component = 'PopProxy'
       Description = 'Raised when the POP3 customer touch point probe (a full POP3 logon through this Client Access server) fails 5 times in 15 minutes.' }
    @{ Name = 'PopProxyTestMonitor'; HealthSet = 'POP.Proxy'; Probe = 'POP.Proxy\PopProxyTestProbe'; Threshold = 4; Kind = 'Failure'; Component = 'PopProxy'
       Description = 'Raised when the POP3 proxy test probe (the Client Access server proxying to the Mailbox server) fails 4 times in 4 minutes.' }
    @{ Name = 'ImapCTPMonitor'; HealthSet = 'IMAP'; Probe = 'IMAP\ImapCTPProbe'; Threshold = 5; Kind = 'Failure'; Component = 'ImapProxy'
       Description = 'Raised when the IMAP4 customer touch point probe (a full IMAP4 logon through this Client Access server) fails 5 times in 15 minutes.' }
    @{ Name = 'ImapProxyTestMonitor'; HealthSet = 'IMAP.Proxy'; Probe = 'IMAP.Proxy\ImapProxyTestProbe'; Threshold = 4; Kind = 'Failure'; Component = 'ImapProxy'
       Description = 'Raised when the IMAP4 proxy test probe fails 4 times in 4 minutes.' }
    @{ Name = 'OWAProxyTestMonitor'; HealthSet = 'OWA.Proxy'; Probe = 'OWA.Proxy\OWAProxyTestProbe'; Threshold = 4; Kind = 'Failure'; Component = 'OwaProxy'
       Description = 'Raised when the Outlook Web App proxy test probe fails 4 times in 4 minutes.' }
    @{ Name = 'PopDeepTestMonitor'; HealthSet = 'POP.Protocol'; Probe = 'POP.Protocol\PopDeepTestProbe'; Threshold = 5; Kind = 'Failure'; Component = 'None'
       Description = 'Raised when the POP3 deep test probe (a logon to the POP3 back end and the mailbox database on this Mailbox server) fails 5 times in 15 minutes.' }
    @{ Name = 'PopSelfTestMonitor'; HealthSet = 'POP.Protocol'; Probe = 'POP.Protocol\PopSelfTestProbe'; Threshold = 4; Kind = 'Failure'; Component = 'None'
       Description = 'Raised when the POP3 self-test probe (a connection to the POP3 back-end service on port 1995) fails 4 times in 4 minutes.' }
    @{ Name = 'AverageCommandProcessingTimeGt60sMonitor'; HealthSet = 'POP'; Probe = 'POP.Protocol\PopSelfTestProbe'; Threshold = 4; Kind = 'Slow'; Component = 'None'
       Description = 'Raised when POP3 commands on this server take more than 60 seconds on average.' }
    @{ Name = 'ImapDeepTestMonitor'; HealthSet = 'IMAP.Protocol'; Probe = 'IMAP.Protocol\ImapDeepTestProbe'; Threshold = 5; Kind = 'Failure'; Component = 'None'
       Description = 'Raised when the IMAP4 deep test probe fails 5 times in 15 minutes.' }
    @{ Name = 'ImapSelfTestMonitor'; HealthSet = 'IMAP.Protocol'; Probe = 'IMAP.Protocol\ImapSelfTestProbe'; Threshold = 4; Kind = 'Failure'; Component = 'None'
       Description = 'Raised when the IMAP4 self-test probe fails 4 times in 4 minutes.' }
)
$ordinal = 0
foreach ($m in $script:SimMonitors) {
    $probe = $script:SimProbes[$m.Probe]
    $m.Ordinal = $ordinal++
    # The monitors whose failure makes Managed Availability take the server out of service.
    $m.IsHaImpacting = $m.Name -like '*ProxyTestMonitor' -or $m.Name -like '*DeepTestMonitor' -or $m.Name -like '*SelfTestMonitor'
    $m.Role = $probe.Role
    $m.Interval = $probe.Interval
    $m.TargetResource = $probe.TargetResource
    $m.Identity = "$($m.HealthSet)\$($m.Name)\$($probe.TargetResource)"
}
$script:SimMonitorsByRole = @{
    ClientAccess = @($script:SimMonitors | Where-Object { $_.Role -eq 'ClientAccess' })
    Mailbox      = @($script:SimMonitors | Where-Object { $_.Role -eq 'Mailbox' })
}

$script:SimHealthSets = @{
    'POP'           = @{ Group = 'CustomerTouchPoints'; Description = 'POP3 client access and the POP3 services.' }
    'POP.Proxy'     = @{ Group = 'ServiceComponents'; Description = 'The POP3 proxy on Client Access servers.' }
    'POP.Protocol'  = @{ Group = 'ServiceComponents'; Description = 'The POP3 protocol on Mailbox servers.' }
    'IMAP'          = @{ Group = 'CustomerTouchPoints'; Description = 'IMAP4 client access and the IMAP4 services.' }
    'IMAP.Proxy'    = @{ Group = 'ServiceComponents'; Description = 'The IMAP4 proxy on Client Access servers.' }
    'IMAP.Protocol' = @{ Group = 'ServiceComponents'; Description = 'The IMAP4 protocol on Mailbox servers.' }
    'OWA.Proxy'     = @{ Group = 'ServiceComponents'; Description = 'The Outlook Web App proxy on Client Access servers.' }
}

# The scenarios: which alert each raises, where, and which recovery procedure of examples/ cures it.
$script:SimScenarios = [ordered]@{
    'healthy' = @{ Description = 'Every monitor is Healthy.'; Server = $null; HealthSet = $null; Monitor = $null; Probe = $null; MailboxServer = $null; Runbook = $null; Procedure = $null
        Remedy = 'Nothing to do.' }
    'pop3-backend-hung' = @{ Description = 'The POP3 back-end service on EX-MBX01 hangs: PopDeepTestMonitor is Unhealthy.'
        Server = 'EX-MBX01'; HealthSet = 'POP.Protocol'; Monitor = 'PopDeepTestMonitor'; Probe = 'POP.Protocol\PopDeepTestProbe'; MailboxServer = 'EX-MBX01'
        Runbook = 'pop-protocol'; Procedure = 'recover'
        Remedy = 'Restart MSExchangePOP3BE on EX-MBX01 (or fail over, restart the server, fail back). Restarting the server with active copies takes its databases down.' }
    'pop3-cas-stopped' = @{ Description = 'The POP3 service on EX-CAS01 has stopped: PopCTPMonitor is Unhealthy.'
        Server = 'EX-CAS01'; HealthSet = 'POP'; Monitor = 'PopCTPMonitor'; Probe = 'POP\PopCTPProbe'; MailboxServer = 'EX-MBX01'
        Runbook = 'pop'; Procedure = 'recover-ctp'
        Remedy = 'Restart MSExchangePOP3 on EX-CAS01.' }
    'pop-proxy-fault' = @{ Description = 'The POP3 proxy on EX-CAS01 is wedged: PopProxyTestMonitor is Unhealthy until the server is restarted.'
        Server = 'EX-CAS01'; HealthSet = 'POP.Proxy'; Monitor = 'PopProxyTestMonitor'; Probe = 'POP.Proxy\PopProxyTestProbe'; MailboxServer = 'EX-MBX01'
        Runbook = 'pop-proxy'; Procedure = 'recover'
        Remedy = 'Restart-Computer EX-CAS01; restarting the POP3 service does not help.' }
    'pop-slow-commands' = @{ Description = 'POP3 commands on EX-MBX01 take more than 60 seconds: AverageCommandProcessingTimeGt60sMonitor (and PopSelfTestMonitor) are Unhealthy.'
        Server = 'EX-MBX01'; HealthSet = 'POP'; Monitor = 'AverageCommandProcessingTimeGt60sMonitor'; Probe = 'POP.Protocol\PopSelfTestProbe'; MailboxServer = 'EX-MBX01'
        Runbook = 'pop'; Procedure = 'recover-slow-commands'
        Remedy = 'Fail over EX-MBX01 until it holds no active copy, restart it, fail back. A restart with active copies does not cure it and takes its databases down.' }
    'pop-transient' = @{ Description = 'PopCTPMonitor on EX-CAS01 is Unhealthy, but the cause has passed: re-running its probe succeeds.'
        Server = 'EX-CAS01'; HealthSet = 'POP'; Monitor = 'PopCTPMonitor'; Probe = 'POP\PopCTPProbe'; MailboxServer = 'EX-MBX01'
        Runbook = 'pop'; Procedure = 'verify'
        Remedy = 'Re-run POP\PopCTPProbe (Invoke-MonitoringProbe); the monitor recovers.' }
}

function New-SimServer([string]$Name, [string]$Role, [double]$Phase, [double]$Now, [string]$Dag) {
    # services, components, pop and imap hold only what differs from the defaults above (every
    # service Running, components in their default state, Exchange's default POP3/IMAP4 settings).
    $server = [ordered]@{
        name = $Name; role = $Role; phase = $Phase; latencyMs = 0; unreachable = $false
        bootTime = $Now - 86400 * 12; services = [ordered]@{}; components = [ordered]@{}; faults = @()
        pop = [ordered]@{}; imap = [ordered]@{}
    }
    if ($Role -eq 'Mailbox') {
        $server.dag = $Dag
        $server.activationDisabled = $false
        $server.autoActivationPolicy = 'Unrestricted'
    }
    return $server
}

# Seeds a monitor's probe history with failures on the probe's own schedule, so the scenario starts
# with the monitor already Unhealthy (tripped more than a minute ago).
function Add-SimFailedRuns($World, [string]$Server, [string]$ProbeKey, [double]$Now, [string]$Type, [string]$Message, [double]$Sample) {
    $probe = $script:SimProbes[$ProbeKey]
    $interval = [double]$probe.Interval
    $phase = [double]$World.servers[$Server].phase * $interval
    $last = [Math]::Floor(($Now - $phase) / $interval) * $interval + $phase
    $runs = [System.Collections.Generic.List[object]]::new()
    for ($i = 6; $i -ge 0; $i--) {
        $runs.Add([ordered]@{ t = $last - $i * $interval; r = $Type; e = $Message; s = $Sample })
    }
    $World.history["$Server|$ProbeKey"] = $runs.ToArray()
}

function New-SimWorld([string]$Scenario, [int]$ServerCount = 5, [switch]$FrozenClock) {
    if (-not $script:SimScenarios.Contains($Scenario)) {
        throw "Unknown scenario '$Scenario'. Known scenarios: $($script:SimScenarios.Keys -join ', ')."
    }
    if ($ServerCount -lt 5) { throw "ServerCount must be at least 5 (the organisation has 2 Client Access and 3 Mailbox servers)." }
    $now = ConvertTo-SimEpoch ([DateTime]::UtcNow)
    $world = [ordered]@{
        schema = 1; revision = 0; scenario = $Scenario; createdAt = $now - 86400 * 30
        clock = [ordered]@{ offset = 0.0; frozen = [bool]$FrozenClock; frozenAt = $now }
        synced = $now
        servers = [ordered]@{}; databases = [ordered]@{}; history = [ordered]@{}
    }
    # Phases spread the servers' probe schedules, deterministically, as real servers drift apart.
    $names = @(
        @('EX-CAS01', 'ClientAccess'), @('EX-CAS02', 'ClientAccess'),
        @('EX-MBX01', 'Mailbox'), @('EX-MBX02', 'Mailbox'), @('EX-MBX03', 'Mailbox'))
    for ($i = 4; $i -le $ServerCount - 2; $i++) { $names += , @(('EX-MBX{0:D2}' -f $i), 'Mailbox') }
    $index = 0
    foreach ($entry in $names) {
        $dag = if ($entry[1] -eq 'Mailbox' -and $index -lt 5) { 'DAG01' } else { $null }
        $world.servers[$entry[0]] = New-SimServer $entry[0] $entry[1] ((($index * 0.618034) % 1.0)) $now $dag
        $index++
    }
    $world.servers['EX-CAS01'].probeDatabase = 'DB01'
    $world.servers['EX-CAS02'].probeDatabase = 'DB02'
    # DB01..DB03, a copy on each DAG member, the active copies spread one per server.
    $members = @('EX-MBX01', 'EX-MBX02', 'EX-MBX03')
    for ($d = 0; $d -lt 3; $d++) {
        $copies = [ordered]@{}
        for ($k = 0; $k -lt 3; $k++) {
            $server = $members[($d + $k) % 3]
            $copies[$server] = [ordered]@{ status = $(if ($k -eq 0) { 'Mounted' } else { 'Healthy' }); preference = $k + 1 }
        }
        $world.databases["DB0$($d + 1)"] = [ordered]@{ copies = $copies }
    }

    switch ($Scenario) {
        'pop3-backend-hung' {
            $world.servers['EX-MBX01'].faults = @('Pop3BackendHung')
            Add-SimFailedRuns $world 'EX-MBX01' 'POP.Protocol\PopDeepTestProbe' $now 'Failed' (Get-SimFaultMessage 'Pop3BackendHung' 'EX-MBX01') 0
        }
        'pop3-cas-stopped' {
            $world.servers['EX-CAS01'].services['MSExchangePOP3'] = 'Stopped'
            Add-SimFailedRuns $world 'EX-CAS01' 'POP\PopCTPProbe' $now 'Failed' (Get-SimFaultMessage 'Pop3Stopped' 'EX-CAS01') 0
        }
        'pop-proxy-fault' {
            $world.servers['EX-CAS01'].faults = @('ProxyFault')
            Add-SimFailedRuns $world 'EX-CAS01' 'POP.Proxy\PopProxyTestProbe' $now 'Failed' (Get-SimFaultMessage 'ProxyFault' 'EX-CAS01') 0
        }
        'pop-slow-commands' {
            $world.servers['EX-MBX01'].faults = @('SlowCommands')
            Add-SimFailedRuns $world 'EX-MBX01' 'POP.Protocol\PopSelfTestProbe' $now 'Timeout' (Get-SimFaultMessage 'SlowCommands' 'EX-MBX01') 75000
        }
        'pop-transient' {
            # The failures are in the history, but nothing in the world is wrong any more.
            Add-SimFailedRuns $world 'EX-CAS01' 'POP\PopCTPProbe' $now 'Failed' (Get-SimFaultMessage 'Transient' 'EX-CAS01') 0
        }
    }
    return $world
}

function Get-SimFaultMessage([string]$Fault, [string]$Server) {
    switch ($Fault) {
        'Pop3BackendHung' { "The POP3 back end on $Server accepted the connection on port 1995 but did not answer the LOGIN command within 60 seconds." }
        'Pop3Stopped' { "Could not connect to $Server on port 995: No connection could be made because the target machine actively refused it." }
        'ProxyFault' { "The POP3 proxy on $Server failed to proxy the session to the Mailbox server: the proxy connection was reset." }
        'SlowCommands' { "The POP3 commands on $Server took 75 seconds to complete; the probe timed out." }
        'Transient' { "Could not connect to $Server on port 995: the connection timed out." }
        default { "The probe failed on $Server." }
    }
}
