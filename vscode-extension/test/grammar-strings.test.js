'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { expectToken, hasScope, tokenize, tokensWithScope } = require('../testing/assertions');
const { tokenAtColumn } = require('../testing/tokenize');

test('a string with its quotes', async () => {
  const lines = await tokenize('owner = "data-eng"');
  expectToken(lines, '"', 'punctuation.definition.string.begin.pipe');
  expectToken(lines, 'data-eng', 'string.quoted.double.pipe');
  expectToken(lines, '"', 'punctuation.definition.string.end.pipe', { nth: 1 });
  assert.equal(tokensWithScope(lines, 'invalid').length, 0);
});

test('each valid escape is constant.character.escape', async () => {
  const lines = await tokenize(String.raw`x = "q\" b\\ n\n t\t r\r smile\u{1F600} max\u{10FFFF} one\u{a}"`);
  for (const escape of [String.raw`\"`, String.raw`\\`, String.raw`\n`, String.raw`\t`, String.raw`\r`]) {
    expectToken(lines, escape, 'constant.character.escape.pipe', { not: ['invalid'] });
  }
  for (const escape of [String.raw`\u{1F600}`, String.raw`\u{10FFFF}`, String.raw`\u{a}`]) {
    expectToken(lines, escape, 'constant.character.escape.unicode.pipe', { not: ['invalid'] });
  }
  expectToken(lines, ' b', 'string.quoted.double.pipe');
  assert.equal(tokensWithScope(lines, 'invalid').length, 0);
  expectToken(lines, '"', 'punctuation.definition.string.end.pipe', { nth: 2 });
});

test('an escaped quote does not end the string', async () => {
  const lines = await tokenize(String.raw`x = "say \"hi\"" # done`);
  expectToken(lines, 'hi', 'string.quoted.double.pipe');
  expectToken(lines, '#', 'comment.line.number-sign.pipe');
});

test('an escaped backslash before the closing quote', async () => {
  const lines = await tokenize(String.raw`path = "C:\\" # done`);
  expectToken(lines, String.raw`\\`, 'constant.character.escape.pipe');
  expectToken(lines, '" #', 'punctuation.definition.string.end.pipe', { text: '"' });
  expectToken(lines, '#', 'comment.line.number-sign.pipe');
});

test('other backslash escapes are invalid', async () => {
  const lines = await tokenize(String.raw`x = "a\q b\x41 c\u{110000} d\u{D800} e\u{} f\u{1234567} g\u0041"`);
  expectToken(lines, String.raw`\q`, 'invalid.illegal.escape.pipe', { not: ['constant.character.escape'] });
  expectToken(lines, String.raw`\x41`, 'invalid.illegal.escape.pipe', { text: String.raw`\x` });
  for (const escape of [String.raw`\u{110000}`, String.raw`\u{D800}`, String.raw`\u{}`, String.raw`\u{1234567}`]) {
    expectToken(lines, escape, 'invalid.illegal.escape.pipe', { not: ['constant.character.escape'] });
  }
  expectToken(lines, String.raw`\u0041`, 'invalid.illegal.escape.pipe', { text: String.raw`\u` });
  const digits = tokenAtColumn(lines, 0, lines[0].text.indexOf('0041'));
  assert.equal(digits.text, '0041');
  assert.ok(!hasScope(digits, 'invalid'), 'the digits after an invalid \\u are string text');
});

test('$${ is a literal ${, not an interpolation', async () => {
  const lines = await tokenize('x = "cost: $${x} and $${run.ds}"');
  expectToken(lines, '$${', 'constant.character.escape.dollar.pipe');
  expectToken(lines, '$${', 'constant.character.escape.dollar.pipe', { nth: 1 });
  expectToken(lines, 'x} and ', 'string.quoted.double.pipe', { not: ['meta.interpolation', 'variable'] });
  expectToken(lines, 'run.ds}', 'string.quoted.double.pipe', { not: ['meta.interpolation', 'variable'] });
  assert.equal(tokensWithScope(lines, 'meta.interpolation').length, 0);
});

test('${run.ds} is an interpolation', async () => {
  const lines = await tokenize('since = "from ${run.ds} on"');
  expectToken(lines, '${', 'punctuation.section.interpolation.begin.pipe');
  expectToken(lines, '${', 'meta.interpolation.pipe');
  expectToken(lines, 'run', 'variable.language.pipe');
  expectToken(lines, 'run', 'string.quoted.double.pipe');
  expectToken(lines, '.', 'punctuation.accessor.pipe');
  expectToken(lines, 'ds', 'variable.other.property.pipe');
  expectToken(lines, 'ds', 'meta.interpolation.pipe');
  expectToken(lines, '}', 'punctuation.section.interpolation.end.pipe');
  expectToken(lines, ' on', 'string.quoted.double.pipe', { not: ['meta.interpolation'] });
});

test('interpolations of platform, tenant and plain names', async () => {
  const lines = await tokenize('image = "${platform.registry}/x:${tenant.schema}-${t}-${run.data_interval_start}"');
  expectToken(lines, 'platform', 'variable.language.pipe');
  expectToken(lines, 'registry', 'variable.other.property.pipe');
  expectToken(lines, 'tenant', 'variable.language.pipe');
  expectToken(lines, 'schema', 'variable.other.property.pipe');
  expectToken(lines, 't}', 'variable.other.pipe', { text: 't', not: ['variable.language'] });
  expectToken(lines, 'data_interval_start', 'variable.other.property.pipe');
  assert.equal(tokensWithScope(lines, 'punctuation.section.interpolation.begin').length, 4);
});

test('an unterminated "${" marks the ${ and the string still ends', async () => {
  const lines = await tokenize('x = "${" # comment\ny = 1');
  expectToken(lines, '${', 'invalid.illegal.interpolation.pipe', { not: ['meta.interpolation'] });
  expectToken(lines, '" #', 'punctuation.definition.string.end.pipe', { text: '"' });
  expectToken(lines, '#', 'comment.line.number-sign.pipe', { not: ['string'] });
  expectToken(lines, 'y', 'variable.other.property.pipe', { not: ['string'] });
});

test('a malformed interpolation is invalid', async () => {
  const lines = await tokenize('x = "${ run.ds } and ${} and ${run.} ok"');
  expectToken(lines, '${ run.ds }', 'invalid.illegal.interpolation.pipe');
  expectToken(lines, '${}', 'invalid.illegal.interpolation.pipe');
  expectToken(lines, '${run.}', 'invalid.illegal.interpolation.pipe');
  expectToken(lines, ' ok', 'string.quoted.double.pipe', { not: ['invalid'] });
});

test('an interpolation takes lower-case dotted names only, as pipec does', async () => {
  const lines = await tokenize('x = "${HOME} ${_x} ${a.B} ${a_1.b2}"');
  expectToken(lines, '${HOME}', 'invalid.illegal.interpolation.pipe');
  expectToken(lines, '${_x}', 'invalid.illegal.interpolation.pipe');
  expectToken(lines, '${a.B}', 'invalid.illegal.interpolation.pipe');
  expectToken(lines, 'a_1', 'variable.other.pipe', { not: ['invalid'] });
  expectToken(lines, 'b2', 'variable.other.property.pipe');
});

test('Jinja braces, $(VAR) and a lone $ are plain string text', async () => {
  const lines = await tokenize('x = "{{ ds }} {% if x %} $(HOME) $5 {x} $"');
  expectToken(lines, '{{ ds }} {% if x %} $(HOME) $5 {x} $', 'string.quoted.double.pipe', {
    not: ['meta.interpolation', 'constant.character.escape', 'invalid', 'variable'],
  });
});

test('# inside a string is not a comment', async () => {
  const lines = await tokenize('x = "a # b" # c');
  expectToken(lines, 'a # b', 'string.quoted.double.pipe', { not: ['comment'] });
  expectToken(lines, '# c', 'comment.line.number-sign.pipe', { text: '#' });
});

test('/// inside a string is not a doc comment', async () => {
  const lines = await tokenize('url = "http:///x"');
  expectToken(lines, 'http:///x', 'string.quoted.double.pipe', { not: ['comment'] });
});

test('two strings on one line', async () => {
  const lines = await tokenize('args = ["--a", "b"]');
  expectToken(lines, '--a', 'string.quoted.double.pipe');
  expectToken(lines, ',', 'punctuation.separator.comma.pipe', { not: ['string'] });
  expectToken(lines, 'b', 'string.quoted.double.pipe');
});

test('an unterminated string ends at the end of its line', async () => {
  const lines = await tokenize('x = "no end ${run.ds}\ny = 2 # fine');
  expectToken(lines, '"', 'invalid.illegal.unterminated-string.pipe');
  expectToken(lines, 'no end ', 'string.quoted.double');
  expectToken(lines, 'run', 'variable.language.pipe');
  expectToken(lines, 'y', 'variable.other.property.pipe', { not: ['string'] });
  expectToken(lines, '2', 'constant.numeric.integer.pipe', { not: ['string'] });
  expectToken(lines, '#', 'comment.line.number-sign.pipe');
});

test('a string ending in a lone backslash is unterminated', async () => {
  const lines = await tokenize('x = "abc\\"\ny = 2');
  expectToken(lines, '"', 'invalid.illegal.unterminated-string.pipe');
  expectToken(lines, 'y', 'variable.other.property.pipe', { not: ['string'] });
});

test('strings are the same inside calls and lists', async () => {
  const lines = await tokenize('task t = r(since = "${run.ds}", v = ["$${x}", "\\t"])');
  expectToken(lines, 'run', 'variable.language.pipe');
  expectToken(lines, 'run', 'meta.function-call.pipe');
  expectToken(lines, '$${', 'constant.character.escape.dollar.pipe');
  expectToken(lines, '\\t', 'constant.character.escape.pipe');
});
