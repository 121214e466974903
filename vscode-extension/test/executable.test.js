'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { resolveExecutable } = require('../src/executable');

function sandbox(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipec-exe-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const make = (relative, mode = 0o755) => {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n');
    fs.chmodSync(file, mode);
    return file;
  };
  return { dir, make };
}

test('a bare name is found on PATH, first match wins', (t) => {
  const { dir, make } = sandbox(t);
  const first = make('one/pipec');
  make('two/pipec');
  const env = { PATH: [path.join(dir, 'missing'), path.join(dir, 'one'), path.join(dir, 'two')].join(path.delimiter) };
  assert.equal(resolveExecutable('pipec', { env, platform: 'linux' }), first);
});

test('files that are not executable, and folders, are skipped', (t) => {
  const { dir, make } = sandbox(t);
  make('one/pipec', 0o644);
  fs.mkdirSync(path.join(dir, 'two', 'pipec'), { recursive: true });
  const third = make('three/pipec');
  const env = { PATH: ['one', 'two', 'three'].map((d) => path.join(dir, d)).join(path.delimiter) };
  assert.equal(resolveExecutable('pipec', { env, platform: 'linux' }), third);
});

test('a name that is nowhere gives null', (t) => {
  const { dir } = sandbox(t);
  assert.equal(resolveExecutable('pipec', { env: { PATH: dir }, platform: 'linux' }), null);
  assert.equal(resolveExecutable('pipec', { env: {}, platform: 'linux' }), null);
  assert.equal(resolveExecutable('', { env: { PATH: dir }, platform: 'linux' }), null);
  assert.equal(resolveExecutable('   ', { env: { PATH: dir }, platform: 'linux' }), null);
});

test('an absolute path, a relative path and ~ are taken as files', (t) => {
  const { dir, make } = sandbox(t);
  const file = make('venv/bin/pipec');
  const options = { env: { PATH: '' }, platform: 'linux', cwd: dir, homedir: dir };
  assert.equal(resolveExecutable(file, options), file);
  assert.equal(resolveExecutable('venv/bin/pipec', options), file);
  assert.equal(resolveExecutable('./venv/bin/pipec', options), file);
  assert.equal(resolveExecutable('~/venv/bin/pipec', options), file);
  assert.equal(resolveExecutable(path.join(dir, 'venv/bin/nope'), options), null);
});

test('on Windows PATHEXT extensions are tried', (t) => {
  const { dir, make } = sandbox(t);
  const file = make('bin/pipec.exe', 0o644);
  const env = { Path: path.join(dir, 'bin'), PATHEXT: '.COM;.EXE' };
  assert.equal(resolveExecutable('pipec', { env, platform: 'win32' }), file);
  assert.equal(resolveExecutable('pipec.exe', { env, platform: 'win32' }), file);
});
