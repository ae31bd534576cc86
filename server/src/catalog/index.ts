// Indexes the catalog data for the analysis: case-insensitive lookups and the relations between
// health sets, probes, monitors, cmdlets and their output.
import cmdletsData from '../../catalog/cmdlets.json';
import commandNamesData from '../../catalog/commands.json';
import healthSetsData from '../../catalog/healthsets.json';
import outputsData from '../../catalog/outputs.json';
import servicesData from '../../catalog/services.json';
import type {
  Catalog,
  Cmdlet,
  CmdletParameter,
  CommandNames,
  ExchangeService,
  HealthSet,
  KnownMisspelling,
  Monitor,
  OutputProperty,
  OutputType,
  Probe,
  ValueSet,
} from './types';

export type { Catalog } from './types';

export type KnownCommandSource = 'Exchange' | 'PowerShell' | 'alias';

/** Parameters every cmdlet accepts (PowerShell's common and risk-mitigation parameters). */
export const COMMON_PARAMETERS: CmdletParameter[] = [
  { name: 'Verbose', type: 'SwitchParameter' },
  { name: 'Debug', type: 'SwitchParameter' },
  { name: 'ErrorAction', type: 'Object', aliases: ['ea'] },
  { name: 'WarningAction', type: 'Object', aliases: ['wa'] },
  { name: 'InformationAction', type: 'Object', aliases: ['infa'] },
  { name: 'ProgressAction', type: 'Object', aliases: ['proga'] },
  { name: 'ErrorVariable', type: 'String', aliases: ['ev'] },
  { name: 'WarningVariable', type: 'String', aliases: ['wv'] },
  { name: 'InformationVariable', type: 'String', aliases: ['iv'] },
  { name: 'OutVariable', type: 'String', aliases: ['ov'] },
  { name: 'OutBuffer', type: 'Int32', aliases: ['ob'] },
  { name: 'PipelineVariable', type: 'String', aliases: ['pv'] },
  { name: 'WhatIf', type: 'SwitchParameter', aliases: ['wi'] },
  { name: 'Confirm', type: 'SwitchParameter', aliases: ['cf'] },
];

export function loadCatalog(): Catalog {
  return {
    ...(healthSetsData as unknown as Pick<Catalog, 'healthSets' | 'probes' | 'monitors' | 'misspellings'>),
    ...(cmdletsData as unknown as Pick<Catalog, 'cmdlets'>),
    ...(outputsData as unknown as Pick<Catalog, 'outputTypes' | 'valueSets'>),
    ...(servicesData as unknown as Pick<Catalog, 'services' | 'serverComponents'>),
    commandNames: commandNamesData as unknown as CommandNames,
  };
}

const key = (name: string): string => name.toLowerCase();

function indexBy<T>(items: T[], name: (item: T) => string[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) for (const n of name(item)) if (!map.has(key(n))) map.set(key(n), item);
  return map;
}

export class CatalogIndex {
  private readonly healthSetsByName: Map<string, HealthSet>;
  private readonly probesByName: Map<string, Probe>;
  private readonly monitorsByName: Map<string, Monitor>;
  private readonly cmdletsByName: Map<string, Cmdlet>;
  private readonly outputTypesByName: Map<string, OutputType>;
  private readonly valueSetsByName: Map<string, ValueSet>;
  private readonly servicesByName: Map<string, ExchangeService>;
  private readonly misspellingsByName: Map<string, KnownMisspelling[]>;
  /** Every command known by name (catalog cmdlets, PowerShell's modules, Exchange 2013), as written. */
  private readonly commandsByName = new Map<string, { name: string; source: KnownCommandSource }>();

  constructor(readonly catalog: Catalog) {
    this.healthSetsByName = indexBy(catalog.healthSets, (h) => [h.name]);
    this.probesByName = indexBy(catalog.probes, (p) => [p.name]);
    this.monitorsByName = indexBy(catalog.monitors, (m) => [m.name]);
    this.cmdletsByName = indexBy(catalog.cmdlets, (c) => [c.name, ...(c.aliases ?? [])]);
    this.outputTypesByName = indexBy(catalog.outputTypes, (o) => [o.name]);
    this.valueSetsByName = indexBy(catalog.valueSets, (v) => [v.name]);
    this.servicesByName = indexBy(catalog.services, (s) => [s.name]);
    this.indexCommandNames(catalog);
    this.misspellingsByName = new Map();
    for (const m of catalog.misspellings) {
      const list = this.misspellingsByName.get(key(m.wrong)) ?? [];
      list.push(m);
      this.misspellingsByName.set(key(m.wrong), list);
    }
  }

  get healthSets(): HealthSet[] {
    return this.catalog.healthSets;
  }
  get monitors(): Monitor[] {
    return this.catalog.monitors;
  }
  get probes(): Probe[] {
    return this.catalog.probes;
  }
  get cmdlets(): Cmdlet[] {
    return this.catalog.cmdlets;
  }
  get services(): ExchangeService[] {
    return this.catalog.services;
  }

  private indexCommandNames(catalog: Catalog): void {
    const names = catalog.commandNames;
    const add = (name: string, source: KnownCommandSource): void => {
      if (!this.commandsByName.has(key(name))) this.commandsByName.set(key(name), { name, source });
    };
    for (const cmdlet of catalog.cmdlets) add(cmdlet.name, cmdlet.source === 'Exchange' ? 'Exchange' : 'PowerShell');
    for (const name of names?.exchange2013 ?? []) add(name, 'Exchange');
    for (const list of Object.values(names?.powershellModules ?? {})) for (const name of list) add(name, 'PowerShell');
    for (const name of names?.windowsPowerShell ?? []) add(name, 'PowerShell');
    for (const list of Object.values(names?.windowsModules ?? {})) for (const name of list) add(name, 'PowerShell');
    // An alias of a cmdlet the catalog describes binds like the cmdlet (`icm`, `gsv`, `%`).
    for (const [alias, target] of Object.entries(names?.aliases ?? {})) {
      const cmdlet = this.cmdletsByName.get(key(target));
      if (cmdlet && !this.cmdletsByName.has(key(alias))) this.cmdletsByName.set(key(alias), cmdlet);
      add(alias, 'alias');
    }
  }

  /** A real command, whether or not the catalog describes its parameters. */
  knownCommand(name: string): { name: string; source: KnownCommandSource } | undefined {
    return this.commandsByName.get(key(name));
  }

  private commandNameList: string[] | undefined;

  /** Every real command name a misspelt one may be close to (aliases excepted). */
  get commandNames(): string[] {
    this.commandNameList ??= [...this.commandsByName.values()].filter((c) => c.source !== 'alias').map((c) => c.name);
    return this.commandNameList;
  }

  /** The cmdlet's own name for an alias (`icm` → Invoke-Command), else the name as written. */
  canonicalName(name: string): string {
    return this.cmdlet(name)?.name ?? name;
  }

  healthSet(name: string): HealthSet | undefined {
    return this.healthSetsByName.get(key(name));
  }
  probe(name: string): Probe | undefined {
    return this.probesByName.get(key(name));
  }
  monitor(name: string): Monitor | undefined {
    return this.monitorsByName.get(key(name));
  }
  cmdlet(name: string): Cmdlet | undefined {
    return this.cmdletsByName.get(key(name));
  }
  service(name: string): ExchangeService | undefined {
    return this.servicesByName.get(key(name));
  }
  outputType(name: string | undefined): OutputType | undefined {
    return name ? this.outputTypesByName.get(key(name)) : undefined;
  }
  valueSet(name: string | undefined): ValueSet | undefined {
    return name ? this.valueSetsByName.get(key(name)) : undefined;
  }

  /** The monitor a name means, following the documentation's known misspellings (PopTestDeepMonitor). */
  resolveMonitor(name: string): Monitor | undefined {
    return this.monitor(name) ?? this.monitor(this.misspelling(name, 'monitor')?.right ?? '');
  }

  /** A documented wrong spelling of this kind, e.g. PopTestDeepMonitor for a monitor. */
  misspelling(wrong: string, kind: KnownMisspelling['kind'], scope?: string): KnownMisspelling | undefined {
    return this.misspellingsByName
      .get(key(wrong))
      ?.find((m) => m.kind === kind && (!scope || !m.scope || key(m.scope) === key(scope)));
  }

  probesOf(healthSet: string): Probe[] {
    return this.catalog.probes.filter((p) => key(p.healthSet) === key(healthSet));
  }
  monitorsOf(healthSet: string): Monitor[] {
    return this.catalog.monitors.filter((m) => key(m.healthSet) === key(healthSet));
  }
  monitorsOfProbe(probe: string): Monitor[] {
    return this.catalog.monitors.filter((m) => m.probe !== undefined && key(m.probe) === key(probe));
  }

  /** All parameters a cmdlet accepts, its own first, then the common ones. */
  parametersOf(cmdlet: Cmdlet): CmdletParameter[] {
    return [...cmdlet.parameters, ...COMMON_PARAMETERS];
  }

  property(type: OutputType, name: string): OutputProperty | undefined {
    return type.properties.find((p) => key(p.name) === key(name));
  }

  /** The value set of an enum parameter type. */
  enumOf(parameter: CmdletParameter): ValueSet | undefined {
    return typeof parameter.type === 'object' ? this.valueSet(parameter.type.enum) : undefined;
  }
}
