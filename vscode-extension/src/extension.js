'use strict';
// VS Code entry point: starts `pipec lsp` over stdio as the language server for
// .pipe files. Highlighting and folding work without it; a missing pipec is
// reported once with a way to fix it, never as an activation failure.

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { resolveExecutable } = require('./executable');
const { foldingRanges } = require('./folding');

const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'pipe' },
  { scheme: 'untitled', language: 'pipe' },
];

let client;
let output;
let queue = Promise.resolve();

function workspaceRoot() {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length ? folders[0].uri.fsPath : undefined;
}

function configuredPath() {
  return vscode.workspace.getConfiguration('pipec').get('path', 'pipec') || 'pipec';
}

function reportMissing(configured) {
  const message =
    `pipec: the language server is off because "${configured}" was not found. ` +
    'Install pipec (pip install pipec) or set "pipec.path" to the pipec executable.';
  output.appendLine(message);
  vscode.window.showWarningMessage(message, 'Open Settings').then((choice) => {
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'pipec.path');
    }
  });
}

async function startServer() {
  const configured = configuredPath();
  const cwd = workspaceRoot();
  const command = resolveExecutable(configured, { cwd });
  if (!command) {
    reportMissing(configured);
    return;
  }
  const serverOptions = { command, args: ['lsp'], transport: TransportKind.stdio, options: { cwd } };
  const clientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.pipe,pipec.toml}') },
  };
  const candidate = new LanguageClient('pipec', 'pipec language server', serverOptions, clientOptions);
  try {
    await candidate.start();
    client = candidate;
    output.appendLine(`pipec: language server started (${command} lsp)`);
  } catch (err) {
    const message = `pipec: the language server (${command} lsp) failed to start: ${err && err.message ? err.message : err}`;
    output.appendLine(message);
    vscode.window.showErrorMessage(message);
  }
}

async function stopServer() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (err) {
      output.appendLine(`pipec: stopping the language server failed: ${err && err.message ? err.message : err}`);
    }
  }
}

/** Restarts are queued so that a burst of setting changes runs one at a time. */
function restartServer() {
  queue = queue.then(stopServer).then(startServer);
  return queue;
}

function toFoldingRange(range) {
  const kinds = { comment: vscode.FoldingRangeKind.Comment, region: vscode.FoldingRangeKind.Region };
  return new vscode.FoldingRange(range.start, range.end, kinds[range.kind]);
}

async function activate(context) {
  output = vscode.window.createOutputChannel('pipec');
  context.subscriptions.push(
    output,
    vscode.languages.registerFoldingRangeProvider(DOCUMENT_SELECTOR, {
      provideFoldingRanges: (document) => foldingRanges(document.getText()).map(toFoldingRange),
    }),
    vscode.commands.registerCommand('pipec.restartServer', restartServer),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('pipec.path')) restartServer();
    }),
  );
  queue = queue.then(startServer);
  await queue;
}

function deactivate() {
  queue = queue.then(stopServer);
  return queue;
}

module.exports = { activate, deactivate };
