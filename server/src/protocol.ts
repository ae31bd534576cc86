// Names and custom messages shared by the client and the language server (both import this file).

export const LANGUAGE_ID = 'exchange-runbook';

/** Command behind the "Run step" CodeLens; its argument is a RunStepArguments. */
export const RUN_STEP_COMMAND = 'exchangeRunbooks.runStep';
/** Command behind the "Copy commands" CodeLens; its argument is a RunStepArguments. */
export const COPY_STEP_COMMAND = 'exchangeRunbooks.copyStep';

export interface StepParameter {
  name: string;
  kind: string;
  description: string;
  defaultValue?: string;
}

export interface RunStepArguments {
  uri: string;
  procedure: string;
  step: string;
  title: string;
  /** The PowerShell of the step (reused steps resolved), in order. */
  commands: string[];
  /** Parameters the commands use, so the runner can ask for their values. */
  parameters: StepParameter[];
  /** Whether the step must be confirmed before it runs. */
  confirm: boolean;
}

/** `exchangeRunbooks/procedureForMonitor`: which procedure of an open or workspace runbook covers a monitor. */
export const PROCEDURE_FOR_MONITOR_REQUEST = 'exchangeRunbooks/procedureForMonitor';
export interface ProcedureForMonitorParams {
  monitor: string;
  uris: string[];
}
export interface ProcedureLocation {
  uri: string;
  procedure: string;
  line: number;
}

/** `exchangeRunbooks/monitorInfo`: what the catalog knows of a monitor (the health view's probe and tooltip). */
export const MONITOR_INFO_REQUEST = 'exchangeRunbooks/monitorInfo';
export interface MonitorInfoParams {
  monitor: string;
}
export interface MonitorInfo {
  monitor: string;
  healthSet: string;
  /** `HealthSet\Probe`, as Invoke-MonitoringProbe takes it. */
  probe?: string;
  /** In the editor's display language. */
  description?: string;
}

/** `exchangeRunbooks/healthSets`: the health sets of the catalog, for the "New Runbook" picker. */
export const HEALTH_SETS_REQUEST = 'exchangeRunbooks/healthSets';
export interface HealthSetSummary {
  name: string;
  /** The monitors the catalog knows, each of which gets a recovery procedure. */
  monitors: string[];
  /** In the editor's display language. */
  description?: string;
}

/** `exchangeRunbooks/runbookSkeleton`: a lint-clean runbook for a health set (null for an unknown set). */
export const RUNBOOK_SKELETON_REQUEST = 'exchangeRunbooks/runbookSkeleton';
export interface RunbookSkeletonParams {
  healthSet: string;
}
