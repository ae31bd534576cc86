// Runs only when VS Code's display language is Chinese or Japanese (index.ts picks *.l10n.test.js
// then): what an admin there sees from this extension, in their language — command titles, the
// settings page, the views, diagnostics, hovers and CodeLens titles.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { describeError } from '../../src/powershell/sessionMessages';
import { SessionError } from '../../src/powershell/session';
import { activateExtension, codeOf, EXTENSION_ID, openRunbook, positionOf, waitFor, waitForDiagnostics, workspaceUri } from './helpers';

interface Expected {
  newRunbook: string;
  restart: string;
  healthView: string;
  pollInterval: RegExp;
  misspelling: RegExp;
  monitorHover: RegExp;
  runStep: string;
  /** A PowerShell session error as the health view shows it. */
  sessionTimeout: string;
  sessionExited: string;
}

const EXPECTED: Record<string, Expected> = {
  'zh-cn': {
    newRunbook: '新建运行手册…',
    restart: '重新启动语言服务器',
    healthView: '服务器运行状况',
    pollInterval: /轮询/,
    misspelling: /^PopTestDeepMonitor 是文档中的拼写错误：正确的监视器是 PopDeepTestMonitor。$/,
    monitorHover: /PopDeepTestMonitor\*\* — POP\.Protocol 运行状况集的监视器/,
    runStep: '▶ 运行步骤',
    sessionTimeout: 'PowerShell 未在 30 秒内响应；该进程已停止，将在下一个请求时重新启动。',
    sessionExited: 'PowerShell 已退出（退出代码 1）。\nboom',
  },
  ja: {
    newRunbook: '新しい Runbook…',
    restart: '言語サーバーの再起動',
    healthView: 'サーバーの正常性',
    pollInterval: /ポーリング/,
    misspelling: /^PopTestDeepMonitor はドキュメントの誤記です：正しいモニターは PopDeepTestMonitor です。$/,
    monitorHover: /PopDeepTestMonitor\*\* — POP\.Protocol 正常性セットのモニター/,
    runStep: '▶ ステップの実行',
    sessionTimeout: 'PowerShell が 30 秒以内に応答しませんでした。プロセスを停止しました。次の要求で再起動します。',
    sessionExited: 'PowerShell が終了しました (終了コード 1)。\nboom',
  },
};

suite(`In ${vscode.env.language}`, () => {
  const expected = EXPECTED[vscode.env.language];

  test('VS Code runs in Chinese or Japanese', () => {
    assert.ok(expected, `display language ${vscode.env.language}`);
  });

  test('command titles, the settings page and the views are translated', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: {
        commands: { command: string; title: string | { value: string; original: string }; category: string }[];
        configuration: { title: string | { value: string }; properties: Record<string, { markdownDescription: string }> };
        views: Record<string, { id: string; name: string | { value: string } }[]>;
      };
    };
    // A localized manifest carries a command title as { value, original }.
    const text = (value: string | { value: string } | undefined) => (typeof value === 'object' ? value.value : value);
    const title = (id: string) => text(manifest.contributes.commands.find((c) => c.command === id)?.title);
    assert.equal(title('exchangeRunbooks.newRunbook'), expected!.newRunbook);
    assert.equal(title('exchangeRunbooks.restartServer'), expected!.restart);
    assert.equal(text(manifest.contributes.configuration.title), 'Exchange Runbooks');
    assert.match(manifest.contributes.configuration.properties['exchangeRunbooks.health.pollIntervalSeconds']!.markdownDescription, expected!.pollInterval);
    const view = Object.values(manifest.contributes.views).flat().find((v) => v.id === 'exchangeRunbooks.health');
    assert.equal(text(view?.name), expected!.healthView);
  });

  test('diagnostics, hovers and CodeLens speak the display language', async () => {
    await activateExtension();
    const uri = workspaceUri('fixtures', 'monitor-names.exrunbook');
    await openRunbook(uri);
    const diagnostics = await waitForDiagnostics(uri, (d) => d.some((x) => codeOf(x) === 'misspelt-name'), 'the misspelling reported');
    assert.match(diagnostics.find((d) => codeOf(d) === 'misspelt-name')!.message, expected!.misspelling);

    const example = workspaceUri('examples', 'pop-protocol.exrunbook');
    const exampleDocument = await openRunbook(example);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', example, positionOf(exampleDocument, 'for monitor PopDeep', 16));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, expected!.monitorHover);

    const lenses = await waitFor(async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
      return found?.some((l) => l.command) ? found : undefined;
    }, 'the step lenses');
    assert.ok(lenses.some((l) => l.command?.title === expected!.runStep), lenses.map((l) => l.command?.title).join('; '));
  });

  test('PowerShell session errors are shown in the display language, with what PowerShell said as it came', () => {
    assert.equal(describeError(new SessionError('timeout', { id: 'request-timeout', ms: 30_000 })), expected!.sessionTimeout);
    assert.equal(describeError(new SessionError('exited', { id: 'exited', code: 1, detail: 'boom' })), expected!.sessionExited);
  });
});
