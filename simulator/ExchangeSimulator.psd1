# Module manifest of the Exchange simulator: a simulated Exchange 2013 organisation for the health
# view, the step runner, the demo and the tests (see README.md). Loads only with EXCHANGE_SIMULATOR=1.
@{
    RootModule           = 'ExchangeSimulator.psm1'
    ModuleVersion        = '1.0.0'
    GUID                 = '6f0c8f9e-3b8a-4f57-9a39-5d1c2f7e4b21'
    Author               = 'Exchange Health Runbooks'
    Description          = 'A simulated Exchange 2013 organisation (Managed Availability health sets, probes, monitors, services, DAG) for development and tests. Loads only when EXCHANGE_SIMULATOR=1.'
    PowerShellVersion    = '7.2'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ExchangeSimulator.format.ps1xml')
    FunctionsToExport    = @(
        'Reset-ExchangeSimulator', 'Get-ExchangeSimulatorScenario', 'Get-ExchangeSimulatorState',
        'Get-ExchangeSimulatorClock', 'Step-ExchangeSimulatorClock', 'Set-ExchangeSimulatorServer',
        'Get-ServerHealth', 'Get-HealthReport', 'Invoke-MonitoringProbe', 'Get-MonitoringItemIdentity',
        'Get-ExchangeServer', 'Get-MailboxServer', 'Set-MailboxServer', 'Get-MailboxDatabaseCopyStatus',
        'Get-PopSettings', 'Set-PopSettings', 'Get-ImapSettings', 'Set-ImapSettings',
        'Get-ServerComponentState', 'Set-ServerComponentState', 'Test-PopConnectivity',
        'Invoke-Command', 'Get-Service', 'Restart-Service', 'Start-Service', 'Stop-Service', 'Restart-Computer')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
