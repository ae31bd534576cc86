// The shape of the Exchange catalog: facts kept as data (server/catalog/*.json), read by the analysis.

/** Text in the three languages the product speaks; `en` is the fallback. */
export interface LocalizedText {
  en: string;
  'zh-cn'?: string;
  ja?: string;
}

export type ServerRole = 'ClientAccess' | 'Mailbox';

export interface HealthSet {
  name: string;
  /** Appendix A group: customer touch points, service components, server resources, key dependencies. */
  group: 'CustomerTouchPoint' | 'ServiceComponent' | 'ServerResource' | 'KeyDependency';
  /**
   * How much of the health set the catalog knows. `complete`: every probe and monitor, so a name
   * that is none of them is an error. `documented`: the probes and monitors Microsoft's
   * troubleshooting topic lists; Exchange has more, so another name is not judged. Absent: the
   * name only.
   */
  catalogue?: 'complete' | 'documented';
  /** Present only for health sets the catalog knows in detail. */
  description?: LocalizedText;
  /** The role whose servers usually raise the alert. */
  alertRole?: ServerRole;
  /** Microsoft's troubleshooting topic, when there is one. */
  topic?: string;
  relatedHealthSets?: string[];
}

export interface Probe {
  name: string;
  healthSet: string;
  description?: LocalizedText;
  /** What the probe depends on, as the topic's table lists it. */
  dependencies: string[];
  /** Seconds between runs, where known (decompiled code: plausible, not authoritative). */
  recurrenceSeconds?: number;
}

export interface Monitor {
  name: string;
  /** The health set the monitor belongs to (AverageCommandProcessingTimeGt60sMonitor: POP, although its probe is in POP.Protocol). */
  healthSet: string;
  /** Absent for monitors that watch events or counters rather than a probe (FIPS, OWA.Protocol.Dep). */
  probe?: string;
  alertRole?: ServerRole | 'Any';
  description?: LocalizedText;
  /** Consecutive probe failures within windowSeconds that turn the monitor Unhealthy. */
  failureThreshold?: number;
  windowSeconds?: number;
}

/** A name the documentation prints that is not the real one, e.g. PopTestDeepMonitor. */
export interface KnownMisspelling {
  wrong: string;
  right: string;
  kind: 'monitor' | 'probe' | 'healthSet' | 'parameter' | 'property';
  /** For parameters: the cmdlet it was written on. For properties: the output type. */
  scope?: string;
  note?: LocalizedText;
}

export type ParameterType =
  | 'String'
  | 'Boolean'
  | 'SwitchParameter'
  | 'Int32'
  | 'Server'
  | 'HealthSet'
  /** `HealthSet\Probe` or `HealthSet\Monitor[\TargetResource]`. */
  | 'MonitoringItemIdentity'
  | 'ProbeIdentity'
  | 'Service'
  | 'Credential'
  | 'ScriptBlock'
  | 'Object'
  | { enum: string };

export interface CmdletParameter {
  name: string;
  type: ParameterType;
  mandatory?: boolean;
  /** Position for positional use (0 = first positional argument). */
  position?: number;
  aliases?: string[];
  description?: LocalizedText;
}

export interface Cmdlet {
  name: string;
  /** `Exchange`: only in the Exchange Management Shell; `PowerShell`: built in; `External`: a program such as iisreset. */
  source: 'Exchange' | 'PowerShell' | 'External';
  aliases?: string[];
  description?: LocalizedText;
  parameters: CmdletParameter[];
  /** Name of the output type (key of outputTypes); absent when it writes nothing a branch can test. */
  output?: string;
  /** Needs confirmation before it runs; `when` narrows it to some parameter values. */
  dangerous?: {
    reason: LocalizedText;
    /** Only dangerous when this parameter is present (and, if given, has this value). */
    whenParameter?: string;
    whenValue?: string;
  };
  /** Settings that must be switched back before the run ends. */
  undo?: UndoRule[];
}

export interface UndoRule {
  /** Stable id, e.g. `failover`, `pop-protocol-log`. */
  id: string;
  parameter: string;
  /** The value that starts the change ($true) and the one that undoes it ($false). */
  doValue: string;
  undoValue: string;
  description: LocalizedText;
}

export interface OutputProperty {
  name: string;
  /** The property holds the name of a monitor (Get-ServerHealth's Name), or of a probe or monitor. */
  names?: 'monitor' | 'item';
  /** Key of valueSets, when the property takes a fixed set of values. */
  values?: string;
  description?: LocalizedText;
}

export interface OutputType {
  name: string;
  properties: OutputProperty[];
}

export interface ValueSet {
  name: string;
  values: { name: string; description?: LocalizedText }[];
}

export interface ExchangeService {
  name: string;
  displayName: string;
  role: ServerRole | 'Both';
  description?: LocalizedText;
}

export interface ServerComponent {
  name: string;
  description?: LocalizedText;
}

/** Commands known by name only (server/catalog/commands.json): real, but their parameters are not checked. */
export interface CommandNames {
  /** PowerShell 7's own modules, module name → cmdlet names. */
  powershellModules: Record<string, string[]>;
  /** Windows PowerShell 5.1 and Windows modules the Exchange Management Shell offers (WMI, event logs, IIS, networking). */
  windowsPowerShell: string[];
  /** Windows Server modules Exchange admins use (ActiveDirectory, NetTCPIP, FailoverClusters, WebAdministration ...). */
  windowsModules: Record<string, string[]>;
  /** Alias → command. */
  aliases: Record<string, string>;
  /** Every cmdlet Microsoft's reference marks as applicable to Exchange Server 2013. */
  exchange2013: string[];
}

export interface Catalog {
  commandNames?: CommandNames;
  healthSets: HealthSet[];
  probes: Probe[];
  monitors: Monitor[];
  misspellings: KnownMisspelling[];
  cmdlets: Cmdlet[];
  outputTypes: OutputType[];
  valueSets: ValueSet[];
  services: ExchangeService[];
  serverComponents: ServerComponent[];
}
