'use strict';
// The extension manifest, the language configuration and the grammar agree
// with each other and with what VS Code expects.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const readJson = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const manifest = readJson('package.json');
const config = readJson('language-configuration.json');
const grammar = readJson('syntaxes/pipe.tmLanguage.json');

test('package.json names the extension and its engine', () => {
  assert.equal(manifest.name, 'pipec-vscode');
  assert.equal(manifest.publisher, 'pipec');
  assert.equal(manifest.engines.vscode, '^1.90.0');
  assert.deepEqual(manifest.activationEvents, ['onLanguage:pipe']);
  // the esbuild bundle of src/extension.js, built by `npm run package` before the tests run
  assert.equal(manifest.main, './dist/extension.js');
  assert.ok(fs.existsSync(path.join(root, manifest.main)), 'run `npm run build` (npm test does)');
  assert.equal(manifest.scripts.test, 'npm run package && node --test test/');
  assert.equal(manifest.scripts['vscode:prepublish'], 'npm run build');
  assert.match(manifest.scripts.build, /^esbuild src\/extension\.js --bundle .*--external:vscode .*--outfile=dist\/extension\.js$/);
});

test('the language client version supports the declared engine', () => {
  const version = manifest.dependencies['vscode-languageclient'];
  assert.match(version, /^(9|11)\./);
  const installed = require('vscode-languageclient/package.json');
  assert.equal(installed.version, version);
  // vscode-languageclient declares the oldest VS Code it runs on; ours must not be older.
  const needed = installed.engines.vscode.replace(/^\^/, '').split('.').map(Number);
  const ours = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
  assert.ok(ours[0] > needed[0] || (ours[0] === needed[0] && ours[1] >= needed[1]), `${ours} < ${needed}`);
  assert.ok(fs.existsSync(require.resolve('vscode-languageclient/node')));
});

test('the language and grammar contributions', () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'pipe');
  assert.deepEqual(language.extensions, ['.pipe']);
  assert.ok(fs.existsSync(path.join(root, language.configuration)));
  const [contributed] = manifest.contributes.grammars;
  assert.equal(contributed.language, 'pipe');
  assert.equal(contributed.scopeName, 'source.pipe');
  assert.equal(contributed.path, './syntaxes/pipe.tmLanguage.json');
  assert.equal(grammar.scopeName, 'source.pipe');
});

test('the pipec.path setting defaults to pipec', () => {
  const setting = manifest.contributes.configuration.properties['pipec.path'];
  assert.equal(setting.type, 'string');
  assert.equal(setting.default, 'pipec');
});

test('every command the extension registers is contributed', () => {
  const source = fs.readFileSync(path.join(root, 'src', 'extension.js'), 'utf8');
  const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(registered, contributed);
});

test('package-lock.json matches package.json', () => {
  const lock = readJson('package-lock.json');
  assert.equal(lock.name, manifest.name);
  const locked = lock.packages[''];
  assert.deepEqual(locked.dependencies, manifest.dependencies);
  assert.deepEqual(locked.devDependencies, manifest.devDependencies);
  for (const name of ['vscode-textmate', 'vscode-oniguruma', 'vscode-languageclient', '@vscode/vsce', 'esbuild']) {
    assert.ok(lock.packages[`node_modules/${name}`], `${name} is locked`);
  }
});

test('every grammar include points at a repository rule', () => {
  const includes = [];
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (typeof node.include === 'string') includes.push(node.include);
      Object.values(node).forEach(walk);
    }
  };
  walk(grammar);
  assert.ok(includes.length > 10);
  for (const include of includes) {
    assert.ok(include === '$self' || include === '$base' || include.startsWith('#'), include);
    if (include.startsWith('#')) assert.ok(grammar.repository[include.slice(1)], `missing rule ${include}`);
  }
  const used = new Set(includes.map((i) => i.slice(1)));
  const unused = Object.keys(grammar.repository).filter((name) => !used.has(name));
  assert.deepEqual(unused, [], 'every repository rule is used');
});

test('every grammar scope name ends in .pipe', () => {
  const names = [];
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const key of ['name', 'contentName']) if (typeof node[key] === 'string') names.push(node[key]);
      Object.values(node).forEach(walk);
    }
  };
  walk(grammar.repository);
  for (const name of names.flatMap((n) => n.split(' '))) {
    assert.match(name, /^[a-z0-9-]+(\.[a-z0-9$-]+)*\.pipe$/, name);
  }
});

test('language configuration: comments, brackets, pairs, folding', () => {
  assert.deepEqual(config.comments, { lineComment: '#' });
  assert.deepEqual(config.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const pairs = Object.fromEntries(config.autoClosingPairs.map((p) => [p.open, p]));
  for (const [open, close] of [['{', '}'], ['[', ']'], ['(', ')'], ['"', '"']]) {
    assert.equal(pairs[open].close, close);
  }
  assert.deepEqual(pairs['"'].notIn, ['string', 'comment']);
  assert.equal(config.folding.offSide, false);
  assert.match('  # region tenants', new RegExp(config.folding.markers.start));
  assert.match('  # endregion', new RegExp(config.folding.markers.end));
  assert.doesNotMatch('  # endregion', new RegExp(config.folding.markers.start));
});

test('language configuration: Enter continues /// doc comments only', () => {
  const [rule] = config.onEnterRules;
  const before = new RegExp(rule.beforeText);
  assert.match('/// Extract one table', before);
  assert.match('    /// indented doc', before);
  assert.doesNotMatch('# a comment', before);
  assert.doesNotMatch('x = "///"', before);
  assert.equal(rule.action.appendText, '/// ');
  assert.equal(rule.action.indent, 'none');
});

test('language configuration: indentation and words', () => {
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  assert.match('pipeline sales {', increase);
  assert.match('  args = [   # list', increase);
  assert.match('runner r(', increase);
  assert.doesNotMatch('profile p { cpu = "2", memory = "8Gi" }', increase);
  assert.match('  }', decrease);
  assert.match(']', decrease);
  const word = new RegExp(config.wordPattern, 'g');
  assert.deepEqual('retry_delay = 5m, n = -3'.match(word), ['retry_delay', '5m', 'n', '-3']);
});
