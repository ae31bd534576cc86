// The questions the runner asks the admin, behind one interface so the in-host tests can answer
// them: a parameter's value (known servers of the right role offered), the confirmation of a
// dangerous step (modal, Cancel is the default), an `ask`, a `manual` instruction, a branch to pick.
import * as vscode from 'vscode';
import type { StepParameter, StepPlan } from '../../../server/src/protocol';
import type { KnownServer } from './parameters';

export interface BranchChoice {
  label: string;
  detail?: string;
  /** Index into the step's branches, or undefined for "none holds: go on with the next step". */
  index: number | undefined;
}

export interface RunnerPrompts {
  value(parameter: StepParameter, step: StepPlan, offered: readonly KnownServer[], initial: string | undefined): Promise<string | undefined>;
  confirm(step: StepPlan, server: string | undefined, detail: string): Promise<boolean>;
  answer(step: StepPlan, question: string): Promise<'yes' | 'no' | undefined>;
  manual(step: StepPlan, text: string): Promise<boolean>;
  branch(step: StepPlan, reason: string, choices: readonly BranchChoice[]): Promise<BranchChoice | undefined>;
}

function roleNames(server: KnownServer): string {
  return server.roles.map((role) => (role === 'Mailbox' ? vscode.l10n.t('Mailbox') : vscode.l10n.t('Client Access'))).join(', ');
}

export const editorPrompts: RunnerPrompts = {
  value(parameter, step, offered, initial) {
    const title = vscode.l10n.t('Step {0}: ${1}', step.id, parameter.name);
    const required = vscode.l10n.t('${0} needs a value.', parameter.name);
    if (offered.length === 0) {
      return Promise.resolve(
        vscode.window.showInputBox({
          title,
          prompt: parameter.description,
          value: initial ?? '',
          ignoreFocusOut: true,
          validateInput: (text) => (text.trim() === '' ? required : undefined),
        }),
      ).then((value) => value?.trim());
    }
    // A quick pick that also takes a typed name: the health view may not know every server.
    return new Promise((resolve) => {
      const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
      pick.title = title;
      pick.placeholder = parameter.description;
      pick.ignoreFocusOut = true;
      pick.items = offered.map((server) => ({ label: server.name, description: roleNames(server) }));
      pick.value = initial ?? '';
      let settled = false;
      const finish = (value: string | undefined): void => {
        if (settled) return;
        settled = true;
        resolve(value);
        pick.dispose();
      };
      pick.onDidAccept(() => {
        const value = (pick.activeItems[0]?.label ?? pick.value).trim();
        if (value === '') pick.placeholder = required;
        else finish(value);
      });
      pick.onDidHide(() => finish(undefined));
      pick.show();
    });
  },

  async confirm(step, server, detail) {
    const run = vscode.l10n.t('Run');
    const message = server
      ? vscode.l10n.t('Step {0} "{1}" is dangerous. Run it on {2}?', step.id, step.title, server)
      : vscode.l10n.t('Step {0} "{1}" is dangerous. Run it?', step.id, step.title);
    // Modal with one action: VS Code adds Cancel and makes it the default, so Enter runs nothing.
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, run)) === run;
  },

  async answer(step, question) {
    const yes = vscode.l10n.t('Yes');
    const no = vscode.l10n.t('No');
    const choice = await vscode.window.showQuickPick([yes, no], { title: vscode.l10n.t('Step {0}: {1}', step.id, question), ignoreFocusOut: true });
    return choice === yes ? 'yes' : choice === no ? 'no' : undefined;
  },

  async manual(step, text) {
    const done = vscode.l10n.t('Done');
    return (await vscode.window.showInformationMessage(vscode.l10n.t('Step {0}: {1}', step.id, step.title), { modal: true, detail: text }, done)) === done;
  },

  async branch(step, reason, choices) {
    const items = choices.map((choice) => ({ label: choice.label, detail: choice.detail, choice }));
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Step {0}: which branch holds?', step.id), placeHolder: reason, ignoreFocusOut: true });
    return picked?.choice;
  },
};
