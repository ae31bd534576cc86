// The runbook syntax tree. Every node keeps its exact range so diagnostics and edits land precisely.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Identifier {
  text: string;
  range: Range;
}

export interface StringLiteral {
  value: string;
  /** Includes the quotes. */
  range: Range;
}

export interface ParamDeclaration {
  /** Without the `$`; `range` covers the `$`. */
  name: Identifier;
  kind?: Identifier;
  description?: StringLiteral;
  defaultValue?: StringLiteral;
  range: Range;
}

export interface Runbook {
  id?: Identifier;
  title?: StringLiteral;
  /** The `runbook` line; absent when the file does not start with one. */
  headerRange?: Range;
  healthSets: Identifier[];
  params: ParamDeclaration[];
  sources: StringLiteral[];
  procedures: Procedure[];
  comments: Range[];
  errors: SyntaxError[];
  /** Number of lines of the document, for whole-document edits. */
  lineCount: number;
}

export interface Procedure {
  id?: Identifier;
  title?: StringLiteral;
  /** `for monitor A, B` */
  monitors: Identifier[];
  steps: Step[];
  /** The `procedure` line. */
  headerRange: Range;
  /** From the `procedure` line to the end of its last step. */
  range: Range;
  index: number;
}

export interface StepReference {
  /**
   * `pop-protocol:recover-deep`: the id of another runbook of the workspace. There a single name
   * is a procedure (its first step), never a step.
   */
  runbook?: Identifier;
  procedure?: Identifier;
  step: Identifier;
  range: Range;
}

export interface Step {
  id?: Identifier;
  title?: StringLiteral;
  /** `step again = verify.rerun` */
  reuse?: StepReference;
  /** Range of the `confirm` keyword. */
  confirm?: Range;
  actions: Action[];
  branches: Branch[];
  headerRange: Range;
  range: Range;
  /** Index of the step within its procedure. */
  index: number;
}

export interface RunAction {
  kind: 'run';
  /** The PowerShell exactly as written; continuation lines joined with `\n`. */
  command: string;
  /** Where each line of `command` starts in the document (line, character of its first char). */
  segments: { line: number; character: number; length: number }[];
  keywordRange: Range;
  range: Range;
}

export interface WaitAction {
  kind: 'wait';
  amount?: { value: number; range: Range };
  unit?: Identifier;
  keywordRange: Range;
  range: Range;
}

export interface TextAction {
  kind: 'manual' | 'ask' | 'escalate';
  text?: StringLiteral;
  keywordRange: Range;
  range: Range;
}

export type Action = RunAction | WaitAction | TextAction;

export type Quantifier = 'any' | 'all' | 'no';

export interface PropertyCondition {
  kind: 'property';
  quantifier?: Identifier;
  property: Identifier;
  negated?: Range;
  values: Identifier[];
}

export interface AnswerCondition {
  kind: 'answer';
  keyword: Identifier;
  value?: Identifier;
}

export interface RoleCondition {
  kind: 'role';
  /** Without the `$`; range covers it. */
  param: Identifier;
  role?: Identifier;
}

export type Condition = PropertyCondition | AnswerCondition | RoleCondition;

export type Target =
  | { kind: 'step'; reference: StepReference; range: Range }
  | { kind: 'resolved' | 'escalate'; keyword: Range; reason?: StringLiteral; range: Range };

export interface Branch {
  kind: 'when' | 'otherwise';
  condition?: Condition;
  target?: Target;
  keywordRange: Range;
  range: Range;
}

/** A piece of a message written by us ("a step id"), translated with it; other arguments are source text. */
export interface MessageFragment {
  fragment: string;
}

/** Marks a message fragment (and lets scripts/l10n-keys.mjs find it). */
export function fragment(text: string): MessageFragment {
  return { fragment: text };
}

export interface SyntaxError {
  code: 'syntax' | 'misplaced' | 'keyword-case' | 'full-width';
  message: string;
  args: (string | number | MessageFragment)[];
  range: Range;
  /** The text that fixes it, offered as a quick fix. */
  replacement?: string;
}

export const LINE_KEYWORDS = [
  'runbook',
  'healthset',
  'param',
  'source',
  'procedure',
  'step',
  'run',
  'wait',
  'manual',
  'ask',
  'escalate',
  'when',
  'otherwise',
] as const;

export const PARAM_KINDS = ['server', 'cas', 'mailbox', 'healthset', 'database', 'text', 'number'] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

export const WAIT_UNITS = ['seconds', 'minutes', 'hours', 'second', 'minute', 'hour'] as const;

export const ROLES = ['mailbox', 'cas'] as const;

export function rangeContains(range: Range, position: Position): boolean {
  if (position.line < range.start.line || position.line > range.end.line) return false;
  if (position.line === range.start.line && position.character < range.start.character) return false;
  if (position.line === range.end.line && position.character > range.end.character) return false;
  return true;
}

export function makeRange(line: number, start: number, endLine: number, end: number): Range {
  return { start: { line, character: start }, end: { line: endLine, character: end } };
}
