'use strict';
// Stand-ins for the `vscode` and `vscode-languageclient/node` modules, enough
// to run src/extension.js under node without VS Code. Each call records what
// the extension did so a test can assert on it.

const Module = require('node:module');
const path = require('node:path');

function createFakes({ settings = {}, startError = null, messageChoice = undefined } = {}) {
  const calls = { warnings: [], errors: [], commands: [], executed: [], clients: [], lines: [], folding: [] };
  const configListeners = [];

  class FakeLanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
      calls.clients.push(this);
    }
    async start() {
      if (startError) throw startError;
      this.started = true;
    }
    async stop() {
      this.stopped = true;
    }
  }

  class FoldingRange {
    constructor(start, end, kind) {
      Object.assign(this, { start, end, kind });
    }
  }

  const vscode = {
    FoldingRange,
    FoldingRangeKind: { Comment: 1, Imports: 2, Region: 3 },
    window: {
      createOutputChannel: (name) => ({ name, appendLine: (line) => calls.lines.push(line), dispose() {} }),
      showWarningMessage: (message, ...items) => {
        calls.warnings.push({ message, items });
        return Promise.resolve(messageChoice);
      },
      showErrorMessage: (message, ...items) => {
        calls.errors.push({ message, items });
        return Promise.resolve(undefined);
      },
    },
    workspace: {
      workspaceFolders: settings.workspaceFolder ? [{ uri: { fsPath: settings.workspaceFolder } }] : undefined,
      getConfiguration: (section) => ({
        get: (key, fallback) => {
          const value = settings[`${section}.${key}`];
          return value === undefined ? fallback : value;
        },
      }),
      createFileSystemWatcher: (glob) => ({ glob, dispose() {} }),
      onDidChangeConfiguration: (listener) => {
        configListeners.push(listener);
        return { dispose() {} };
      },
    },
    languages: {
      registerFoldingRangeProvider: (selector, provider) => {
        calls.folding.push({ selector, provider });
        return { dispose() {} };
      },
    },
    commands: {
      registerCommand: (id, handler) => {
        calls.commands.push({ id, handler });
        return { dispose() {} };
      },
      executeCommand: (...args) => {
        calls.executed.push(args);
        return Promise.resolve();
      },
    },
  };

  const languageclient = { LanguageClient: FakeLanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };
  const changeSetting = (key, value) => {
    settings[key] = value;
    for (const listener of configListeners) listener({ affectsConfiguration: (s) => s === key });
  };
  return { vscode, languageclient, calls, settings, changeSetting };
}

/** Loads a fresh src/extension.js with `fakes` in place of its two host modules. */
function loadExtension(fakes) {
  const extensionPath = path.resolve(__dirname, '..', 'src', 'extension.js');
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === 'vscode') return fakes.vscode;
    if (request === 'vscode-languageclient/node') return fakes.languageclient;
    return originalLoad.call(this, request, parent, isMain);
  };
  try {
    delete require.cache[extensionPath];
    return require(extensionPath);
  } finally {
    Module._load = originalLoad;
  }
}

module.exports = { createFakes, loadExtension };
