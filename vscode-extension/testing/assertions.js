'use strict';
// Scope assertions over the tokens that testing/tokenize.js returns.

const assert = require('node:assert/strict');
const { findToken, tokenize } = require('./tokenize');

function hasScope(token, scope) {
  return token.scopes.some((s) => s === scope || s.startsWith(scope + '.'));
}

function describe(token) {
  return `${JSON.stringify(token.text)} has scopes [${token.scopes.join(', ')}]`;
}

/**
 * Asserts that the token where `needle` starts is exactly `needle` (or
 * options.text) and carries `scope` (a full scope or a dotted prefix of one).
 * options.nth picks a later occurrence; options.not lists scopes it must lack.
 */
function expectToken(lines, needle, scope, options = {}) {
  const token = findToken(lines, needle, options.nth || 0);
  const text = options.text === undefined ? needle : options.text;
  assert.equal(token.text, text, `token at ${JSON.stringify(needle)}: ${describe(token)}`);
  if (scope) assert.ok(hasScope(token, scope), `expected ${scope}: ${describe(token)}`);
  for (const absent of options.not || []) {
    assert.ok(!hasScope(token, absent), `unexpected ${absent}: ${describe(token)}`);
  }
  return token;
}

/** Asserts that the token where `needle` starts lacks every scope in `scopes`. */
function expectNotScoped(lines, needle, scopes, options = {}) {
  const token = findToken(lines, needle, options.nth || 0);
  for (const absent of scopes) {
    assert.ok(!hasScope(token, absent), `unexpected ${absent}: ${describe(token)}`);
  }
  return token;
}

/** Every token of every line that carries `scope`. */
function tokensWithScope(lines, scope) {
  return lines.flatMap((line, i) =>
    line.tokens.filter((t) => hasScope(t, scope)).map((t) => ({ line: i + 1, ...t })),
  );
}

module.exports = { expectToken, expectNotScoped, tokensWithScope, hasScope, tokenize };
