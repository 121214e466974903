'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { expectToken, expectNotScoped, tokenize, tokensWithScope } = require('../testing/assertions');

test('a # comment runs to the end of the line', async () => {
  const lines = await tokenize('# a whole-line comment with "quotes" and ${run.ds}');
  expectToken(lines, '#', 'punctuation.definition.comment.pipe');
  expectToken(lines, '#', 'comment.line.number-sign.pipe');
  expectToken(lines, ' a whole-line comment with "quotes" and ${run.ds}', 'comment.line.number-sign.pipe', {
    not: ['string', 'meta.interpolation'],
  });
});

test('a comment after code', async () => {
  const lines = await tokenize('  operator = docker                # DockerOperator');
  expectToken(lines, 'operator', 'variable.other.property.pipe');
  expectToken(lines, 'docker', 'support.constant.enum.pipe', { not: ['comment'] });
  expectToken(lines, '#', 'comment.line.number-sign.pipe');
  expectToken(lines, ' DockerOperator', 'comment.line.number-sign.pipe');
});

test('a comment after a string that contains #', async () => {
  const lines = await tokenize('  schedule = "0 6 * * # not a comment" # a comment');
  expectToken(lines, '0 6 * * # not a comment', 'string.quoted.double.pipe', { not: ['comment'] });
  expectToken(lines, '#', 'comment.line.number-sign.pipe', { nth: 1 });
  expectToken(lines, ' a comment', 'comment.line.number-sign.pipe', { nth: 1 });
});

test('/// doc comments have their own scope', async () => {
  const lines = await tokenize('/// Extract one table into `bronze`.\nrunner x(a: string) {}');
  expectToken(lines, '///', 'comment.block.documentation.pipe');
  expectToken(lines, '///', 'punctuation.definition.comment.pipe');
  expectToken(lines, ' Extract one table into ', 'comment.block.documentation.pipe', { not: ['comment.line'] });
  expectToken(lines, '`bronze`', 'markup.inline.raw.pipe');
  expectToken(lines, 'runner', 'keyword.other.declaration.pipe', { not: ['comment'] });
});

test('indented /// doc comments and a # comment are told apart', async () => {
  const lines = await tokenize('pipeline p {\n  /// the doc\n  # the comment\n}');
  expectToken(lines, '///', 'comment.block.documentation.pipe', { not: ['comment.line'] });
  expectToken(lines, '#', 'comment.line.number-sign.pipe', { not: ['comment.block'] });
});

test('a # comment is not a doc comment even when /// follows', async () => {
  const lines = await tokenize('# /// not a doc comment');
  assert.equal(tokensWithScope(lines, 'comment.block.documentation').length, 0);
  expectToken(lines, ' /// not a doc comment', 'comment.line.number-sign.pipe');
});

test('the line after a comment is code again', async () => {
  const lines = await tokenize('# comment "with an open quote\nretries = 2');
  expectToken(lines, 'retries', 'variable.other.property.pipe', { not: ['comment', 'string'] });
  expectToken(lines, '2', 'constant.numeric.integer.pipe');
});

test('comments inside multi-line calls and runner parameters', async () => {
  const text = [
    'runner r(a: string,   # first',
    '         b: int = 1)  # after the list',
    'task t = r(a = "x",   # in the call',
    '           b = 2)',
  ].join('\n');
  const lines = await tokenize(text);
  expectToken(lines, '# first', 'comment.line.number-sign.pipe', { text: '#' });
  expectToken(lines, 'b', 'variable.parameter.pipe', { nth: 0 });
  expectToken(lines, '# in the call', 'comment.line.number-sign.pipe', { text: '#' });
  expectToken(lines, 'b = 2', 'variable.parameter.pipe', { text: 'b' });
  expectNotScoped(lines, 'b = 2', ['comment']);
});
