'use strict';
// The .vsix that `npm run package` writes (npm test runs it first): exactly the
// files VS Code needs, a bundle that loads without node_modules, the project's
// LICENSE and a repository field.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');
const zip = require('../testing/zip');
const { createFakes } = require('../testing/fake-vscode');

const root = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsixPath = path.join(root, `${manifest.name}-${manifest.version}.vsix`);

function vsix() {
  assert.ok(fs.existsSync(vsixPath), `${path.basename(vsixPath)} is missing: run \`npm run package\` first`);
  const buf = fs.readFileSync(vsixPath);
  const byName = new Map(zip.entries(buf).map((e) => [e.name, e]));
  return { names: [...byName.keys()].sort(), text: (name) => zip.read(buf, byName.get(name)).toString('utf8') };
}

test('the .vsix holds exactly the manifest, the bundle, the grammar, the configuration, README and LICENSE', () => {
  assert.deepEqual(vsix().names, [
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/LICENSE.txt',
    'extension/dist/extension.js',
    'extension/language-configuration.json',
    'extension/package.json',
    'extension/readme.md',
    'extension/syntaxes/pipe.tmLanguage.json',
  ]);
});

test('the packaged manifest points at the bundle and names the license and repository', () => {
  const packaged = JSON.parse(vsix().text('extension/package.json'));
  assert.equal(packaged.main, './dist/extension.js');
  assert.equal(packaged.license, 'Apache-2.0');
  assert.equal(packaged.repository.type, 'git');
  assert.match(packaged.repository.url, /^https:\/\/.+\.git$/);
  assert.match(vsix().text('extension.vsixmanifest'), /<License>extension\/LICENSE\.txt<\/License>/);
});

test('the packaged LICENSE is the repository LICENSE (Apache-2.0)', () => {
  const license = fs.readFileSync(path.join(root, '..', 'LICENSE'), 'utf8');
  assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  assert.equal(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'), license);
  assert.equal(vsix().text('extension/LICENSE.txt'), license);
});

test('the bundle loads on its own, without node_modules, and activates', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipec-vsix-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bundle = path.join(dir, 'extension.js');
  fs.writeFileSync(bundle, vsix().text('extension/dist/extension.js'));
  const fakes = createFakes({ settings: { 'pipec.path': path.join(dir, 'no-such-pipec'), workspaceFolder: dir } });
  // the real vscode-languageclient is inside the bundle and extends vscode's classes: stand-ins for those
  const vscode = new Proxy(fakes.vscode, {
    get: (target, prop) => (prop in target ? target[prop] : class Stand {}),
  });
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === 'vscode') return vscode;
    if (request === bundle) return originalLoad.call(this, request, parent, isMain);
    assert.ok(request.startsWith('node:') || Module.isBuiltin(request), `the bundle requires ${request}`);
    return originalLoad.call(this, request, parent, isMain);
  };
  let extension;
  try {
    extension = require(bundle);
  } finally {
    Module._load = originalLoad;
  }
  assert.equal(typeof extension.activate, 'function');
  assert.equal(typeof extension.deactivate, 'function');
  await extension.activate({ subscriptions: [] });
  assert.equal(fakes.calls.warnings.length, 1); // no pipec there: a warning, not a failure
});
