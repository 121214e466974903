'use strict';
// Runs src/extension.js against a fake `vscode` module: no display, no VS Code.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createFakes, loadExtension } = require('../testing/fake-vscode');

function fakePipec(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipec-ext-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'pipec');
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, 0o755);
  return { dir, file };
}

const context = () => ({ subscriptions: [] });

test('with pipec found, the client runs `pipec lsp` over stdio for .pipe files', async (t) => {
  const { dir, file } = fakePipec(t);
  const fakes = createFakes({ settings: { 'pipec.path': file, workspaceFolder: dir } });
  const extension = loadExtension(fakes);
  const ctx = context();
  await extension.activate(ctx);

  assert.equal(fakes.calls.clients.length, 1);
  const client = fakes.calls.clients[0];
  assert.equal(client.id, 'pipec');
  assert.equal(client.serverOptions.command, file);
  assert.deepEqual(client.serverOptions.args, ['lsp']);
  assert.equal(client.serverOptions.transport, fakes.languageclient.TransportKind.stdio);
  assert.equal(client.serverOptions.options.cwd, dir);
  assert.deepEqual(
    client.clientOptions.documentSelector.map((s) => s.language),
    ['pipe', 'pipe'],
  );
  assert.equal(client.clientOptions.synchronize.fileEvents.glob, '**/{*.pipe,pipec.toml}');
  assert.ok(client.started);
  assert.deepEqual(fakes.calls.warnings, []);
  assert.deepEqual(fakes.calls.errors, []);
  assert.ok(ctx.subscriptions.length >= 4);

  await extension.deactivate();
  assert.ok(client.stopped);
});

test('the default setting looks pipec up on PATH', async (t) => {
  const { dir, file } = fakePipec(t);
  const saved = process.env.PATH;
  process.env.PATH = dir;
  t.after(() => {
    process.env.PATH = saved;
  });
  const fakes = createFakes();
  const extension = loadExtension(fakes);
  await extension.activate(context());
  assert.equal(fakes.calls.clients[0].serverOptions.command, file);
  await extension.deactivate();
});

test('without pipec, activation succeeds with a warning and no client', async () => {
  const fakes = createFakes({ settings: { 'pipec.path': '/nonexistent/pipec' }, messageChoice: 'Open Settings' });
  const extension = loadExtension(fakes);
  await extension.activate(context());
  assert.equal(fakes.calls.clients.length, 0);
  assert.equal(fakes.calls.warnings.length, 1);
  const [warning] = fakes.calls.warnings;
  assert.match(warning.message, /"\/nonexistent\/pipec" was not found/);
  assert.match(warning.message, /pipec\.path/);
  assert.deepEqual(warning.items, ['Open Settings']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(fakes.calls.executed, [['workbench.action.openSettings', 'pipec.path']]);
  assert.ok(fakes.calls.lines.some((line) => line.includes('was not found')));
  assert.equal(fakes.calls.folding.length, 1, 'folding still works without the server');
  await extension.deactivate();
});

test('a server that fails to start is reported, not thrown', async (t) => {
  const { file } = fakePipec(t);
  const fakes = createFakes({ settings: { 'pipec.path': file }, startError: new Error('exited with code 2') });
  const extension = loadExtension(fakes);
  await extension.activate(context());
  assert.equal(fakes.calls.errors.length, 1);
  assert.match(fakes.calls.errors[0].message, /failed to start: exited with code 2/);
  await extension.deactivate();
  assert.equal(fakes.calls.clients[0].stopped, false, 'a client that never started is not stopped');
});

test('changing pipec.path restarts the server with the new executable', async (t) => {
  const first = fakePipec(t);
  const second = fakePipec(t);
  const fakes = createFakes({ settings: { 'pipec.path': first.file } });
  const extension = loadExtension(fakes);
  await extension.activate(context());
  fakes.changeSetting('pipec.path', second.file);
  const restart = fakes.calls.commands.find((c) => c.id === 'pipec.restartServer');
  await restart.handler(); // waits for the queued restart, then restarts once more
  const commands = fakes.calls.clients.map((c) => c.serverOptions.command);
  assert.deepEqual(commands, [first.file, second.file, second.file]);
  assert.ok(fakes.calls.clients[0].stopped);
  assert.ok(fakes.calls.clients[1].stopped);
  assert.ok(!fakes.calls.clients[2].stopped);
  await extension.deactivate();
  assert.ok(fakes.calls.clients[2].stopped);
});

test('the folding provider turns ranges into vscode.FoldingRange', async () => {
  const fakes = createFakes({ settings: { 'pipec.path': '/nonexistent/pipec' } });
  const extension = loadExtension(fakes);
  await extension.activate(context());
  const [{ selector, provider }] = fakes.calls.folding;
  assert.deepEqual(selector.map((s) => s.language), ['pipe', 'pipe']);
  const text = '# a\n# b\ntenant acme {\n  schema = "acme"\n  pool = 8\n}\n';
  const ranges = provider.provideFoldingRanges({ getText: () => text });
  assert.ok(ranges.every((r) => r instanceof fakes.vscode.FoldingRange));
  assert.deepEqual(
    ranges.map((r) => [r.start, r.end, r.kind]),
    [[0, 1, fakes.vscode.FoldingRangeKind.Comment], [2, 4, undefined]],
  );
  await extension.deactivate();
});
