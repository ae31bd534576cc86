// What activate() returns: the running parts, for the in-host tests (and other extensions).
import type { LanguageClient } from 'vscode-languageclient/node';
import type { HealthFeature } from './health/healthFeature';
import type { IncidentJournal } from './runner/incidentJournal';
import type { StepRunner } from './runner/stepRunner';
import type { Walkthrough } from './walkthrough';

export interface ExtensionApi {
  /** The runbook language client, once started (a restart replaces it). */
  readonly languageClient: LanguageClient | undefined;
  readonly health: HealthFeature;
  readonly runner: StepRunner;
  readonly journal: IncidentJournal;
  /** The Get Started walkthrough's state (which of its own steps are done). */
  readonly walkthrough: Walkthrough;
}
