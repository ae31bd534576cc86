// Names and custom messages shared by the client and the language server (both import this file).

export const LANGUAGE_ID = 'exchange-runbook';

/** Command behind the "Run step" CodeLens; its argument is a RunStepArguments. */
export const RUN_STEP_COMMAND = 'exchangeRunbooks.runStep';
/** Command behind the "Copy commands" CodeLens; its argument is a RunStepArguments. */
export const COPY_STEP_COMMAND = 'exchangeRunbooks.copyStep';
/** "Mark done" on a step with only `manual` actions; its argument is a RunStepArguments. */
export const MARK_DONE_COMMAND = 'exchangeRunbooks.markStepDone';
/** "Answer: yes" / "Answer: no" on an `ask` step; arguments: a RunStepArguments, then 'yes' or 'no'. */
export const ANSWER_COMMAND = 'exchangeRunbooks.answerStep';
/** "Copy escalation text" on an `escalate` step; its argument is a RunStepArguments. */
export const COPY_ESCALATION_COMMAND = 'exchangeRunbooks.copyEscalation';

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
  /** 0-based line of the `step` line. */
  line: number;
  /** The step as the engine sees it (actions with capture, branches): what the runner evaluates after the run. */
  plan: StepPlan;
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
/**
 * `exchangeRunbooks/runbookPlan`: the runbook as plain data for the step runner and the rehearsal
 * (reused steps resolved, targets resolved to procedure + step). `null` when the document is not
 * an open or workspace runbook. The pure engine in server/src/runtime walks it.
 */
export const RUNBOOK_PLAN_REQUEST = 'exchangeRunbooks/runbookPlan';
export interface RunbookPlanParams {
  uri: string;
}

export interface RunbookPlan {
  uri: string;
  /** The runbook id (`runbook pop ...`). */
  runbook: string;
  title: string;
  healthSets: string[];
  /** Every declared parameter; each step lists the names it uses. */
  parameters: StepParameter[];
  /** In document order: the first is where a run starts. */
  procedures: ProcedurePlan[];
}

export interface ProcedurePlan {
  id: string;
  title: string;
  /** `for monitor A, B`: where the health view starts a run. */
  monitors: string[];
  /** 0-based line of the `procedure` line. */
  line: number;
  steps: StepPlan[];
}

export interface StepPlan {
  procedure: string;
  id: string;
  title: string;
  /** 0-based line of the `step` line. */
  line: number;
  confirm: boolean;
  /** `proc.step` when the step reuses another; `actions` are then the reused step's. */
  reuses?: string;
  actions: ActionPlan[];
  /** The step's own branches, in order (first that holds wins). */
  branches: BranchPlan[];
  /** Names (as declared, without `$`) of the runbook parameters the step's commands or conditions use. */
  parameters: string[];
}

export type ActionPlan = RunActionPlan | { kind: 'wait'; seconds: number } | { kind: 'manual'; text: string } | { kind: 'ask'; question: string } | { kind: 'escalate'; text: string };

export interface RunActionPlan {
  kind: 'run';
  /** The PowerShell exactly as written (continuation lines joined with `\n`): what the terminal shows. */
  command: string;
  /**
   * Present on the step's last `run` when its conditions test properties: `pipeline` is the command
   * with trailing `Format-*` / `Out-*` pipeline elements removed (its objects are what the
   * conditions test) and `display` those elements (`Format-List`), or absent when there were none.
   * The runner captures `pipeline`'s objects once and shows them through `display`: never runs twice.
   */
  capture?: { pipeline: string; display?: string };
  /** The properties the step's conditions test (`ResultType`, `Name` after Group-Object); read back as JSON. */
  properties: string[];
}

/**
 * A `step` target with `runbook` and `uri` is a hand-over to another runbook of the workspace
 * (`-> pop-protocol:recover-deep`): the run goes on at that runbook's procedure and step. `uri` is
 * empty (and `step` may be) when no runbook of the workspace has that id.
 */
export type StepTarget =
  | { kind: 'step'; procedure: string; step: string; runbook?: string; uri?: string }
  | { kind: 'resolved'; reason?: string }
  | { kind: 'escalate'; reason?: string };

export interface BranchPlan {
  /** 0-based line of the `when` / `otherwise` line. */
  line: number;
  /** Absent for `otherwise`. */
  condition?: ConditionPlan;
  target: StepTarget;
}

export type Quantifier = 'any' | 'all' | 'no';

export type ConditionPlan =
  | { kind: 'property'; quantifier: Quantifier; property: string; negated: boolean; values: string[] }
  | { kind: 'answer'; value: 'yes' | 'no' }
  | { kind: 'role'; parameter: string; role: 'mailbox' | 'cas' };

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
