# The simulated Exchange cmdlets answer with Exchange's shapes: the property names and value sets of
# the project's own catalog (server/catalog/outputs.json, which the linter uses), the real type
# names, [DateTime] dates, and the positional parameters admins type.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Helpers.ps1')
    Import-Simulator
    $outputs = Get-Content -Raw (Join-Path $script:SimRoot 'server/catalog/outputs.json') | ConvertFrom-Json
    # The properties the catalog lists for an output type.
    function Get-CatalogProperties([string]$Type) {
        @(($outputs.outputTypes | Where-Object name -EQ $Type).properties.name)
    }
    function Get-CatalogValues([string]$ValueSet) {
        @(($outputs.valueSets | Where-Object name -EQ $ValueSet).values.name)
    }
}

AfterAll { Remove-TestStates }

Describe 'Exchange cmdlet shapes' {
    BeforeEach {
        Use-FreshState | Out-Null
        Reset-ExchangeSimulator -Scenario pop3-backend-hung -FreezeClock
    }

    It 'Get-ServerHealth: one MonitorHealthEntry per monitor, with every catalog property' {
        $entries = @(Get-ServerHealth EX-MBX01)
        $entries.Count | Should -BeGreaterThan 3
        foreach ($property in (Get-CatalogProperties 'MonitorHealth')) {
            $entries[0].PSObject.Properties.Name | Should -Contain $property
        }
        $entries[0].PSTypeNames[0] | Should -Be 'Microsoft.Exchange.Management.Monitoring.MonitorHealthEntry'
        $entries | ForEach-Object { $_.AlertValue | Should -BeIn (Get-CatalogValues 'AlertValue') }
        $entries | ForEach-Object { $_.CurrentHealthSetState | Should -BeIn (Get-CatalogValues 'HealthSetState') }
        $deep = $entries | Where-Object Name -EQ 'PopDeepTestMonitor'
        $deep.Identity | Should -Be 'POP.Protocol\PopDeepTestMonitor\MSExchangePOP3BE'
        $deep.HealthSetName | Should -Be 'POP.Protocol'
        $deep.LastTransitionTime | Should -BeOfType [DateTime]
        $deep.FirstAlertObservedTime | Should -BeOfType [DateTime]
        $deep.Error | Should -Match 'POP3 back end on EX-MBX01'
    }

    It 'Get-ServerHealth: -HealthSet, -HaImpactingOnly, several servers, names without case and FQDNs' {
        @(Get-ServerHealth -Identity EX-CAS01 -HealthSet POP).Name | Should -Be @('PopCTPMonitor')
        @(Get-ServerHealth -Identity ex-mbx01.contoso.com -HealthSet POP.Protocol).Name | Should -Be @('PopDeepTestMonitor', 'PopSelfTestMonitor')
        @(Get-ServerHealth EX-MBX01 -HaImpactingOnly) | ForEach-Object { $_.IsHaImpacting | Should -BeTrue }
        @(Get-ServerHealth EX-CAS01, EX-MBX01 | Select-Object -ExpandProperty Server -Unique) | Should -Be @('EX-CAS01', 'EX-MBX01')
        # 2 CAS x (POP, POP.Proxy) + 3 Mailbox x (PopDeepTest, PopSelfTest, AverageCommandProcessingTime)
        @(Get-ExchangeServer | Get-ServerHealth -HealthSet 'POP*').Count | Should -Be 13
    }

    It 'Get-ServerHealth: an unknown server is Exchange''s not-found error' {
        { Get-ServerHealth EX-NOPE -ErrorAction Stop } | Should -Throw "*couldn't be found*"
    }

    It 'Get-HealthReport: one row per health set with the worst AlertValue' {
        $rows = @(Get-HealthReport EX-MBX01)
        foreach ($property in (Get-CatalogProperties 'HealthReportEntry')) { $rows[0].PSObject.Properties.Name | Should -Contain $property }
        $rows[0].PSTypeNames[0] | Should -Be 'Microsoft.Exchange.Management.Monitoring.ConsolidatedHealth'
        ($rows | Where-Object HealthSet -EQ 'POP.Protocol').AlertValue | Should -Be 'Unhealthy'
        ($rows | Where-Object HealthSet -EQ 'POP.Protocol').MonitorCount | Should -Be 2
        ($rows | Where-Object HealthSet -EQ 'IMAP.Protocol').AlertValue | Should -Be 'Healthy'
        $rollup = @(Get-HealthReport EX-MBX01, EX-MBX02, EX-MBX03 -HealthSet POP.Protocol -RollupGroup)
        $rollup.Count | Should -Be 1
        $rollup[0].Server | Should -Be 'EX-MBX01,EX-MBX02,EX-MBX03'
        $rollup[0].State | Should -Be 'PartiallyOnline'
    }

    It 'Invoke-MonitoringProbe: positional identity, the catalog''s result properties and ResultType values' {
        $result = Invoke-MonitoringProbe POP.Protocol\PopDeepTestProbe -Server EX-MBX01
        foreach ($property in (Get-CatalogProperties 'ProbeResult')) { $result.PSObject.Properties.Name | Should -Contain $property }
        $result.PSTypeNames[0] | Should -Be 'Microsoft.Exchange.Management.Monitoring.MonitoringProbeResult'
        $result.ResultType | Should -Be 'Failed'
        $result.ResultType | Should -BeIn (Get-CatalogValues 'ResultType')
        $result.ExecutionStartTime | Should -BeOfType [DateTime]
        $result.Error | Should -Not -BeNullOrEmpty
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS02).ResultType | Should -Be 'Succeeded'
    }

    It 'Invoke-MonitoringProbe: a probe the server does not run is an error, not a result' {
        { Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-MBX01 -ErrorAction Stop } | Should -Throw '*not found on server EX-MBX01*'
        { Invoke-MonitoringProbe POP\NoSuchProbe -Server EX-CAS01 -ErrorAction Stop } | Should -Throw '*not found*'
    }

    It 'Get-MonitoringItemIdentity: the probes and monitors of a health set on a server' {
        $items = @(Get-MonitoringItemIdentity POP.Protocol -Server EX-MBX01)
        foreach ($property in (Get-CatalogProperties 'MonitoringItem')) { $items[0].PSObject.Properties.Name | Should -Contain $property }
        $items.Identity | Should -Contain 'POP.Protocol\PopDeepTestProbe\MSExchangePOP3BE'
        $items.Identity | Should -Contain 'POP.Protocol\PopSelfTestMonitor\MSExchangePOP3BE'
        ($items | Where-Object Name -EQ 'PopDeepTestProbe').ItemType | Should -Be 'Probe'
    }

    It 'Get-ExchangeServer: the organisation, with roles and the Exchange 2013 version' {
        $servers = @(Get-ExchangeServer)
        $servers.Name | Should -Be @('EX-CAS01', 'EX-CAS02', 'EX-MBX01', 'EX-MBX02', 'EX-MBX03')
        foreach ($property in (Get-CatalogProperties 'ExchangeServer')) { $servers[0].PSObject.Properties.Name | Should -Contain $property }
        (Get-ExchangeServer EX-CAS01).ServerRole | Should -Be 'ClientAccess'
        (Get-ExchangeServer EX-MBX02).ServerRole | Should -Be 'Mailbox'
        (Get-ExchangeServer EX-MBX02).AdminDisplayVersion | Should -Be 'Version 15.0 (Build 1497.2)'
        (Get-ExchangeServer EX-MBX02).Fqdn | Should -Be 'EX-MBX02.contoso.com'
        $servers[0].PSTypeNames[0] | Should -Be 'Microsoft.Exchange.Data.Directory.Management.ExchangeServer'
    }

    It 'Get-MailboxServer / Set-MailboxServer: the DAG members and their activation settings' {
        @(Get-MailboxServer).Name | Should -Be @('EX-MBX01', 'EX-MBX02', 'EX-MBX03')
        $mbx = Get-MailboxServer EX-MBX02
        foreach ($property in (Get-CatalogProperties 'MailboxServer')) { $mbx.PSObject.Properties.Name | Should -Contain $property }
        $mbx.DatabaseAvailabilityGroup | Should -Be 'DAG01'
        $mbx.DatabaseCopyAutoActivationPolicy | Should -Be 'Unrestricted'
        Set-MailboxServer EX-MBX02 -DatabaseCopyAutoActivationPolicy Blocked
        (Get-MailboxServer EX-MBX02).DatabaseCopyAutoActivationPolicy | Should -Be 'Blocked'
        { Set-MailboxServer EX-MBX02 -DatabaseCopyAutoActivationPolicy Sometimes } | Should -Throw
    }

    It 'Get-MailboxDatabaseCopyStatus: DB01..DB03 with a copy on each Mailbox server, one Mounted each' {
        $copies = @(Get-MailboxDatabaseCopyStatus)
        $copies.Count | Should -Be 9
        foreach ($property in (Get-CatalogProperties 'DatabaseCopyStatus')) { $copies[0].PSObject.Properties.Name | Should -Contain $property }
        $copies | ForEach-Object { $_.Status | Should -BeIn (Get-CatalogValues 'CopyStatus') }
        @($copies | Where-Object Status -EQ 'Mounted').Name | Should -Be @('DB01\EX-MBX01', 'DB02\EX-MBX02', 'DB03\EX-MBX03')
        (Get-MailboxDatabaseCopyStatus DB02\EX-MBX01).Status | Should -Be 'Healthy'
        (Get-MailboxDatabaseCopyStatus DB02\EX-MBX01).ActiveDatabaseCopy | Should -Be 'ex-mbx02'
        @(Get-MailboxDatabaseCopyStatus -Server EX-MBX01).Name | Should -Be @('DB01\EX-MBX01', 'DB02\EX-MBX01', 'DB03\EX-MBX01')
        @(Get-MailboxDatabaseCopyStatus -Server EX-MBX01 -Active).Name | Should -Be @('DB01\EX-MBX01')
        $copies[0].PSTypeNames[0] | Should -Be 'Microsoft.Exchange.Management.SystemConfigurationTasks.DatabaseCopyStatusEntry'
    }

    It 'Get-PopSettings / Set-PopSettings: protocol logging on and off, with the default log folder' {
        $settings = Get-PopSettings -Server EX-CAS01
        foreach ($property in (Get-CatalogProperties 'PopImapSettings')) { $settings.PSObject.Properties.Name | Should -Contain $property }
        $settings.PSTypeNames[0] | Should -Be 'Microsoft.Exchange.Data.Directory.SystemConfiguration.Pop3AdConfiguration'
        $settings.ProtocolLogEnabled | Should -BeFalse
        $settings.LogFileLocation | Should -Be 'C:\Program Files\Microsoft\Exchange Server\V15\Logging\Pop3'
        Set-PopSettings -Server EX-CAS01 -ProtocolLogEnabled $true -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -BeLike '*only take effect after*POP3 services are restarted on server EX-CAS01*'
        (Get-PopSettings -Server EX-CAS01).ProtocolLogEnabled | Should -BeTrue
        (Get-PopSettings -Server EX-CAS02).ProtocolLogEnabled | Should -BeFalse
        Set-PopSettings -Server EX-CAS01 -ProtocolLogEnabled $false -WarningAction SilentlyContinue
        (Get-PopSettings -Server EX-CAS01).ProtocolLogEnabled | Should -BeFalse
    }

    It 'Set-PopSettings: the misspelt -ProtocolLoggingEnabled of Microsoft''s topic does not exist' {
        { Set-PopSettings -Server EX-CAS01 -ProtocolLoggingEnabled $true } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
    }

    It 'Get-ImapSettings / Set-ImapSettings: the same shape, separate settings' {
        $settings = Get-ImapSettings -Server EX-CAS01
        $settings.PSTypeNames[0] | Should -Be 'Microsoft.Exchange.Data.Directory.SystemConfiguration.Imap4AdConfiguration'
        $settings.ProtocolName | Should -Be 'IMAP4'
        Set-ImapSettings -Server EX-CAS01 -ProtocolLogEnabled $true -WarningAction SilentlyContinue
        (Get-ImapSettings -Server EX-CAS01).ProtocolLogEnabled | Should -BeTrue
        (Get-PopSettings -Server EX-CAS01).ProtocolLogEnabled | Should -BeFalse
    }

    It 'Get-ServerComponentState / Set-ServerComponentState: requesters combine, POP3 stops by design' {
        # EX-CAS02: its test mailbox's server is healthy in this scenario.
        $state = Get-ServerComponentState EX-CAS02 -Component PopProxy
        foreach ($property in (Get-CatalogProperties 'ServerComponentState')) { $state.PSObject.Properties.Name | Should -Contain $property }
        $state.State | Should -Be 'Active'
        @(Get-ServerComponentState EX-CAS02).Component | Should -Contain 'ServerWideOffline'
        Set-ServerComponentState EX-CAS02 -Component PopProxy -State Inactive -Requester Maintenance
        (Get-ServerComponentState EX-CAS02 -Component PopProxy).State | Should -Be 'Inactive'
        (Invoke-Command -ComputerName EX-CAS02 { Get-Service MSExchangePOP3 }).Status | Should -Be 'Stopped'
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS02).ResultType | Should -Be 'Failed'
        # Starting it while the component is Inactive does not keep it running.
        Invoke-Command -ComputerName EX-CAS02 { Start-Service MSExchangePOP3 } -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -BeLike '*PopProxy component*not Active*'
        Set-ServerComponentState EX-CAS02 -Component PopProxy -State Active -Requester Functional
        (Get-ServerComponentState EX-CAS02 -Component PopProxy).State | Should -Be 'Inactive'
        Set-ServerComponentState EX-CAS02 -Component PopProxy -State Active -Requester Maintenance
        (Get-ServerComponentState EX-CAS02 -Component PopProxy).State | Should -Be 'Active'
        # Active again, but the service needs a manual start.
        (Invoke-Command -ComputerName EX-CAS02 { Get-Service MSExchangePOP3 }).Status | Should -Be 'Stopped'
        Invoke-Command -ComputerName EX-CAS02 { Start-Service MSExchangePOP3 }
        (Invoke-MonitoringProbe POP\PopCTPProbe -Server EX-CAS02).ResultType | Should -Be 'Succeeded'
    }

    It 'Test-PopConnectivity: a row per Client Access server, Failure while POP3 is down' {
        $rows = @(Test-PopConnectivity)
        $rows.CasServer | Should -Be @('EX-CAS01', 'EX-CAS02')
        foreach ($property in (Get-CatalogProperties 'PopConnectivityResult')) { $rows[0].PSObject.Properties.Name | Should -Contain $property }
        # The backend of EX-CAS01's test mailbox (DB01 on EX-MBX01) is hung in this scenario.
        (Test-PopConnectivity EX-CAS01).Result | Should -Be 'Failure'
        (Test-PopConnectivity -ClientAccessServer EX-CAS02).Result | Should -Be 'Success'
        $rows[0].Result | Should -BeIn (Get-CatalogValues 'ConnectivityResult')
    }

    It 'Get-Service inside Invoke-Command: the server''s own services with Exchange''s names' {
        $cas = @(Invoke-Command -ComputerName EX-CAS01 { Get-Service })
        $cas.Name | Should -Contain 'MSExchangePOP3'
        $cas.Name | Should -Contain 'MSExchangeIMAP4'
        $cas.Name | Should -Contain 'W3SVC'
        $cas.Name | Should -Not -Contain 'MSExchangePOP3BE'
        $mbx = @(Invoke-Command -ComputerName EX-MBX01 { Get-Service MSExchange* })
        $mbx.Name | Should -Contain 'MSExchangePOP3BE'
        $mbx.Name | Should -Contain 'MSExchangeIS'
        $pop = Invoke-Command -ComputerName EX-MBX01 { Get-Service MSExchangePOP3BE }
        foreach ($property in (Get-CatalogProperties 'ServiceController')) { $pop.PSObject.Properties.Name | Should -Contain $property }
        $pop.DisplayName | Should -Be 'Microsoft Exchange POP3 Backend'
        $pop.PSComputerName | Should -Be 'EX-MBX01'
        $pop.PSTypeNames[0] | Should -Be 'System.ServiceProcess.ServiceController'
        { Invoke-Command -ComputerName EX-MBX01 { Restart-Service MSExchangePOP3 -ErrorAction Stop } -ErrorAction Stop } | Should -Throw "*Cannot find any service with service name 'MSExchangePOP3'*"
    }

    It 'Restart-Service takes simulated services piped from another server''s Get-Service' {
        Invoke-Command -ComputerName EX-CAS02 { Stop-Service MSExchangeIMAP4 }
        $restarted = @(Invoke-Command -ComputerName EX-CAS02 { Get-Service MSExchangeIMAP4 } | Restart-Service -PassThru)
        $restarted.MachineName | Should -Be @('EX-CAS02')
        $restarted.Status | Should -Be @('Running')
        (Invoke-Command -ComputerName EX-CAS01 { Get-Service MSExchangeIMAP4 }).Status | Should -Be 'Running'
        (Invoke-MonitoringProbe IMAP\ImapCTPProbe -Server EX-CAS02).ResultType | Should -Be 'Succeeded'
    }

    It 'Invoke-Command, Get-Service and Restart-Computer stay real for anything not simulated' {
        Invoke-Command { 1 + 1 } | Should -Be 2
        Invoke-Command -ScriptBlock { param($x) $x * 2 } -ArgumentList 21 | Should -Be 42
        (Get-Command Invoke-Command).Parameters.Keys | Should -Contain 'Session'
        # Not a simulated server: the real cmdlet decides (on Linux pwsh has no Get-Service at all).
        { Get-Service -Name MSExchangePOP3 -ErrorAction Stop } | Should -Throw
    }
}
