// A Windows PowerShell 5.1 compatibility check for the scripts the extension sends: real pwsh's
// parser builds the AST, and the walk below reports syntax, cmdlets, parameters, variables and
// .NET members that exist only in PowerShell 6+/7 (or .NET Core). Exchange's shell is 5.1.
import type { PowerShellSession } from '../../src/powershell/session';

const CHECKER = String.raw`
param([hashtable]$Scripts)
$forbiddenCommands = @('Join-String', 'Get-Error', 'Test-Json', 'ConvertTo-CliXml', 'ConvertFrom-CliXml', 'Get-Uptime', 'Remove-Alias', 'Remove-Service',
  'Get-PSSubsystem', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-MarkdownOption', 'Set-MarkdownOption', 'Get-SecureRandom',
  'Enable-ExperimentalFeature', 'Disable-ExperimentalFeature', 'Get-ExperimentalFeature', 'Enable-PSTrace', 'Get-PSHostProcessInfo')
$forbiddenParameters = @{
  'ForEach-Object' = @('Parallel', 'ThrottleLimit', 'TimeoutSeconds', 'AsJob', 'UseNewRunspace')
  'ConvertFrom-Json' = @('AsHashtable', 'Depth', 'NoEnumerate', 'DateKind')
  'ConvertTo-Json' = @('EnumsAsStrings', 'AsArray', 'EscapeHandling')
  'Get-Content' = @('AsByteStream'); 'Set-Content' = @('AsByteStream'); 'Add-Content' = @('AsByteStream')
  'Invoke-WebRequest' = @('SkipCertificateCheck', 'Authentication', 'Token', 'StatusCodeVariable', 'ResponseHeadersVariable', 'SkipHttpErrorCheck', 'Resume', 'Form', 'SslProtocol', 'HttpVersion')
  'Invoke-RestMethod' = @('SkipCertificateCheck', 'Authentication', 'Token', 'StatusCodeVariable', 'ResponseHeadersVariable', 'SkipHttpErrorCheck', 'Resume', 'Form', 'SslProtocol', 'HttpVersion')
  'Test-Connection' = @('TargetName', 'TcpPort', 'Ping', 'Traceroute', 'MtuSize', 'Repeat')
  'Split-Path' = @('LeafBase', 'Extension')
  'Import-Module' = @('UseWindowsPowerShell', 'SkipEditionCheck')
  'Get-Date' = @('AsUTC', 'UnixTimeSeconds')
  'Out-String' = @('NoNewline')
  'Start-Process' = @('Environment')
  'Join-Path' = @('AdditionalChildPath')
  'Select-Object' = @('SkipIndex', 'SkipLast')
  'Start-Sleep' = @('Duration')
}
$forbiddenVariables = @('IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR', 'PSStyle', 'PSNativeCommandArgumentPassing', 'EnabledExperimentalFeatures', 'PSNativeCommandUseErrorActionPreference')
$forbiddenMembers = @{
  'IO.Path' = @('GetRelativePath', 'Join', 'TrimEndingDirectorySeparator', 'EndsInDirectorySeparator', 'Exists')
  'Environment' = @('ProcessPath', 'ProcessId', 'IsPrivilegedProcess')
  'Convert' = @('ToHexString', 'FromHexString')
  'Console' = @('GetCursorPosition')
  'Random' = @('Shared')
  'Diagnostics.Stopwatch' = @('GetElapsedTime', 'GetTimestamp')
  'Text.Encoding' = @('Latin1')
  'Array' = @('Fill')
  'Math' = @('Clamp')
}
$forbiddenTypes = @('Text.Json', 'DateOnly', 'TimeOnly', 'Half', 'Range', 'Index', 'HashCode')
function Get-ShortTypeName([string]$Name) { ($Name -replace '^System\.', '') }
foreach ($name in @($Scripts.Keys | Sort-Object)) {
  $problems = New-Object System.Collections.ArrayList
  $tokens = $null; $parseErrors = $null
  $ast = [System.Management.Automation.Language.Parser]::ParseInput($Scripts[$name], [ref]$tokens, [ref]$parseErrors)
  foreach ($e in $parseErrors) { [void]$problems.Add('parse error: ' + $e.Message) }
  foreach ($node in $ast.FindAll({ $true }, $true)) {
    $kind = $node.GetType().Name
    $line = $node.Extent.StartLineNumber
    if ($kind -eq 'TernaryExpressionAst') { [void]$problems.Add("line $line" + ': ternary ?: (7.0)') }
    elseif ($kind -eq 'PipelineChainAst') { [void]$problems.Add("line $line" + ': pipeline chain && / || (7.0)') }
    elseif ($kind -eq 'BinaryExpressionAst') {
      if ([string]$node.Operator -eq 'QuestionQuestion') { [void]$problems.Add("line $line" + ': ?? (7.0)') }
      if ([string]$node.Operator -match 'replace$' -and $node.Right -is [System.Management.Automation.Language.ArrayLiteralAst] -and @($node.Right.Elements)[-1] -is [System.Management.Automation.Language.ScriptBlockExpressionAst]) { [void]$problems.Add("line $line" + ': -replace with a script block (6.1)') }
    }
    elseif ($kind -eq 'AssignmentStatementAst' -and [string]$node.Operator -eq 'QuestionQuestionEquals') { [void]$problems.Add("line $line" + ': ??= (7.0)') }
    elseif (($kind -eq 'MemberExpressionAst' -or $kind -eq 'InvokeMemberExpressionAst' -or $kind -eq 'IndexExpressionAst') -and $node.NullConditional) { [void]$problems.Add("line $line" + ': null-conditional ?. / ?[] (7.0)') }
    elseif ($kind -eq 'ScriptBlockAst' -and $null -ne $node.CleanBlock) { [void]$problems.Add("line $line" + ': clean block (7.3)') }
    elseif ($kind -eq 'VariableExpressionAst' -and $forbiddenVariables -contains $node.VariablePath.UserPath) { [void]$problems.Add("line $line" + ': $' + $node.VariablePath.UserPath + ' (6.0+)') }
    elseif (($kind -eq 'StringConstantExpressionAst' -or $kind -eq 'ExpandableStringExpressionAst') -and [string]$node.StringConstantType -like 'DoubleQuoted*' -and $node.Extent.Text -match '` + "`" + String.raw`(u\{|e)') { [void]$problems.Add("line $line" + ': escape sequence (6.0)') }
    elseif ($kind -eq 'ConstantExpressionAst' -and $node.Extent.Text -match '^(0b[01]+|[0-9a-fx]+(uy|us|ul|u|y|s|n))$') { [void]$problems.Add("line $line" + ': numeric literal ' + $node.Extent.Text + ' (6.2+)') }
    elseif ($kind -eq 'TypeExpressionAst' -or $kind -eq 'TypeConstraintAst' -or $kind -eq 'ConvertExpressionAst') {
      $typeName = Get-ShortTypeName $node.TypeName.FullName
      foreach ($t in $forbiddenTypes) { if ($typeName -eq $t -or $typeName.StartsWith($t + '.')) { [void]$problems.Add("line $line" + ': type [' + $typeName + '] (.NET Core)') } }
    }
    elseif ($kind -eq 'CommandAst') {
      $command = $node.GetCommandName()
      if (-not $command) { continue }
      $alias = Get-Alias -Name $command -ErrorAction SilentlyContinue
      if ($alias) { $command = $alias.Definition }
      if ($forbiddenCommands -contains $command) { [void]$problems.Add("line $line" + ': ' + $command + ' (not in 5.1)') }
      $names = @($node.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object { $_.ParameterName })
      foreach ($key in $forbiddenParameters.Keys) {
        if ($key -ne $command) { continue }
        foreach ($given in $names) {
          foreach ($bad in $forbiddenParameters[$key]) { if ($bad -eq $given -or ($given.Length -ge 4 -and $bad.StartsWith($given, [StringComparison]::OrdinalIgnoreCase))) { [void]$problems.Add("line $line" + ': ' + $command + ' -' + $bad + ' (not in 5.1)') } }
        }
      }
      $elements = @($node.CommandElements)
      for ($i = 1; $i -lt $elements.Count; $i++) {
        if ($elements[$i] -is [System.Management.Automation.Language.CommandParameterAst] -and $elements[$i].ParameterName -eq 'Encoding' -and $i + 1 -lt $elements.Count -and $elements[$i + 1].Extent.Text -match 'utf8NoBOM|utf8BOM') { [void]$problems.Add("line $line" + ': -Encoding ' + $elements[$i + 1].Extent.Text + ' (6.0)') }
      }
      if ($command -eq 'Join-Path') {
        $positional = @($elements | Select-Object -Skip 1 | Where-Object { $_ -isnot [System.Management.Automation.Language.CommandParameterAst] })
        $named = @($elements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] })
        if ($positional.Count - $named.Count -gt 2) { [void]$problems.Add("line $line" + ': Join-Path with more than two paths (6.0)') }
      }
    }
    if (($kind -eq 'MemberExpressionAst' -or $kind -eq 'InvokeMemberExpressionAst') -and $node.Static -and $node.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) {
      $typeName = Get-ShortTypeName $node.Expression.TypeName.FullName
      $member = [string]$node.Member.Value
      foreach ($key in $forbiddenMembers.Keys) { if ($key -eq $typeName -and $forbiddenMembers[$key] -contains $member) { [void]$problems.Add("line $line" + ': [' + $typeName + ']::' + $member + ' (.NET Core)') } }
    }
  }
  @{ name = $name; problems = $problems }
}
`;

export interface CompatReport {
  name: string;
  problems: string[];
}

/** Parses every script with the session's pwsh and lists what Windows PowerShell 5.1 could not run. */
export async function checkWindowsPowerShell51(session: PowerShellSession, scripts: Readonly<Record<string, string>>): Promise<CompatReport[]> {
  const result = await session.invoke<CompatReport>(CHECKER, { Scripts: scripts }, { depth: 3 });
  if (!result.ok || result.errors.length > 0) throw new Error(`the compatibility checker failed: ${result.errors.join('\n')}`);
  return result.output.map((r) => ({ name: r.name, problems: Array.isArray(r.problems) ? r.problems.map(String) : [] }));
}
