'use strict';
// Tokenizes every .pipe file of the repository's examples/ and stdlib/ (found
// on disk when the test runs) and this folder's test/fixtures/, and checks
// that real code never looks broken: no invalid.illegal token, no string that
// runs past its line, and no rule left open at the end of the file.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const { loadGrammar, EXTENSION_DIR } = require('../testing/tokenize');

const PROBE = '# probe';
const CLOSED_PROBE_SCOPES = ['source.pipe', 'comment.line.number-sign.pipe', 'punctuation.definition.comment.pipe'];

function pipeFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return pipeFiles(full);
      return entry.name.endsWith('.pipe') ? [full] : [];
    });
}

/** Problems found in one file, as "line:col message" strings. */
async function problemsIn(file) {
  const grammar = await loadGrammar();
  const problems = [];
  let state = vsctm.INITIAL;
  fs.readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      if (result.stoppedEarly) problems.push(`${index + 1}: tokenizing stopped early`);
      for (const token of result.tokens) {
        const invalid = token.scopes.find((scope) => scope.startsWith('invalid.illegal'));
        if (invalid) {
          const text = line.slice(token.startIndex, token.endIndex);
          problems.push(`${index + 1}:${token.startIndex + 1}: ${invalid} on ${JSON.stringify(text)}`);
        }
      }
      state = result.ruleStack;
      const probe = grammar.tokenizeLine(PROBE, state).tokens[0];
      const leaked = probe.scopes.find((scope) => scope.startsWith('string'));
      if (leaked) problems.push(`${index + 1}: ${leaked} continues past the end of the line`);
    });
  const closing = grammar.tokenizeLine(PROBE, state).tokens[0].scopes;
  if (closing.join(' ') !== CLOSED_PROBE_SCOPES.join(' ')) {
    problems.push(`end of file: still inside [${closing.slice(1, -2).join(', ')}]`);
  }
  return problems;
}

async function checkFiles(t, files) {
  for (const file of files) {
    await t.test(path.relative(path.dirname(EXTENSION_DIR), file), async () => {
      const problems = await problemsIn(file);
      assert.deepEqual(problems, [], `${file}:\n  ${problems.join('\n  ')}`);
    });
  }
}

test('the repository examples and stdlib tokenize cleanly', async (t) => {
  const roots = ['examples', 'stdlib'].map((name) => path.resolve(EXTENSION_DIR, '..', name));
  const files = roots.flatMap(pipeFiles);
  if (files.length === 0) {
    t.skip(`no .pipe files under ${roots.join(' or ')}`);
    return;
  }
  await checkFiles(t, files);
});

test('the test fixtures tokenize cleanly', async (t) => {
  const files = pipeFiles(path.join(__dirname, 'fixtures'));
  assert.ok(files.length >= 2, 'test/fixtures holds the spec example and the tricky cases');
  await checkFiles(t, files);
});

test('the checks catch a broken file', async () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'pipec-corpus-'));
  try {
    const file = path.join(dir, 'broken.pipe');
    fs.writeFileSync(file, 'x = "open\ny = "a\\q"\nrunner r(a: string,\n');
    const problems = await problemsIn(file);
    assert.ok(problems.some((p) => p.startsWith('1:5: invalid.illegal.unterminated-string')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('2:7: invalid.illegal.escape')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('end of file: still inside [meta.function.runner.pipe]')), problems.join('\n'));
    assert.ok(!problems.some((p) => p.includes('continues past')), 'strings end at the line end');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the file discovery finds nested .pipe files only', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'pipec-find-'));
  try {
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'top.pipe'), '');
    fs.writeFileSync(path.join(dir, 'a', 'b', 'deep.pipe'), '');
    fs.writeFileSync(path.join(dir, 'a', 'notes.md'), '');
    fs.writeFileSync(path.join(dir, 'node_modules', 'dep.pipe'), '');
    const found = pipeFiles(dir).map((f) => path.relative(dir, f));
    assert.deepEqual(found, [path.join('a', 'b', 'deep.pipe'), 'top.pipe']);
    assert.deepEqual(pipeFiles(path.join(dir, 'missing')), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
