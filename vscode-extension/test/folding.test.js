'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { foldingRanges } = require('../src/folding');

const blocks = (text) => foldingRanges(text).filter((r) => !r.kind);

test('a brace block folds up to the line before its closing brace', () => {
  const text = ['pipeline sales {', '  retries = 2', '  owner = "x"', '}'].join('\n');
  assert.deepEqual(foldingRanges(text), [{ start: 0, end: 2 }]);
});

test('nested blocks, lists and calls fold; one-line blocks do not', () => {
  const text = [
    'pipeline sales {', //            0
    '  tenants = [', //                1
    '    acme,', //                    2
    '  ]', //                          3
    '  bronze {', //                   4
    '    task t = r(a = 1,', //        5
    '               b = 2)', //        6
    '    task u = r(a = 1) { retries = 1 }', // 7
    '  }', //                          8
    '}', //                            9
  ].join('\n');
  assert.deepEqual(blocks(text), [
    { start: 0, end: 8 },
    { start: 1, end: 2 },
    { start: 4, end: 7 },
  ]);
});

test('a two-line call folds nothing: the closing line stays visible', () => {
  assert.deepEqual(blocks('task t = r(a = 1,\n  b = 2)'), []);
});

test('brackets inside strings and comments do not count', () => {
  const text = [
    'tenant acme {',
    '  schema = "acme{"   # } not a close',
    '  x = "a \\" }"',
    '  /// { doc',
    '}',
  ].join('\n');
  assert.deepEqual(blocks(text), [{ start: 0, end: 3 }]);
});

test('an unterminated string ends at the end of its line', () => {
  const text = ['platform {', '  registry = "open', '  timezone = "UTC"', '}'].join('\n');
  assert.deepEqual(blocks(text), [{ start: 0, end: 2 }]);
});

test('a mismatched closer closes the nearest matching opener', () => {
  const text = ['a {', '  b = [', '  c = 1', '}'].join('\n');
  assert.deepEqual(blocks(text), [{ start: 0, end: 2 }]);
  assert.deepEqual(blocks('}\n]\n)'), []);
});

test('runs of comment lines and of doc lines fold as comments', () => {
  const text = [
    '# one', //      0
    '# two', //      1
    '/// doc one', // 2
    '/// doc two', // 3
    '/// doc three', // 4
    'x = 1', //      5
    '# alone', //    6
  ].join('\n');
  assert.deepEqual(foldingRanges(text), [
    { start: 0, end: 1, kind: 'comment' },
    { start: 2, end: 4, kind: 'comment' },
  ]);
});

test('# region markers fold as regions and nest', () => {
  const text = ['# region all', '# region inner', 'x = 1', '# endregion', 'y = 2', '#endregion'].join('\n');
  assert.deepEqual(foldingRanges(text), [
    { start: 0, end: 5, kind: 'region' },
    { start: 1, end: 3, kind: 'region' },
  ]);
});

test('CRLF line ends and empty text', () => {
  assert.deepEqual(foldingRanges('a {\r\n  b = 1\r\n  c = 2\r\n}\r\n'), [{ start: 0, end: 2 }]);
  assert.deepEqual(foldingRanges(''), []);
});
