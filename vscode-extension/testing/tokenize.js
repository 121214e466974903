'use strict';
// Loads syntaxes/pipe.tmLanguage.json with the same engine VS Code uses
// (vscode-textmate on the oniguruma WASM build) and tokenizes text line by line.

const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const EXTENSION_DIR = path.resolve(__dirname, '..');
const GRAMMAR_PATH = path.join(EXTENSION_DIR, 'syntaxes', 'pipe.tmLanguage.json');

let grammarPromise;

function loadGrammar() {
  if (!grammarPromise) {
    grammarPromise = createGrammar();
  }
  return grammarPromise;
}

async function createGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.pipe') return null;
      const text = fs.readFileSync(GRAMMAR_PATH, 'utf8');
      return vsctm.parseRawGrammar(text, GRAMMAR_PATH);
    },
  });
  return registry.loadGrammar('source.pipe');
}

/**
 * Tokenizes `text` and returns one entry per line:
 * { text, tokens: [{ text, start, end, scopes }], endState }.
 */
async function tokenize(text) {
  const grammar = await loadGrammar();
  let state = vsctm.INITIAL;
  const lines = [];
  for (const line of text.split(/\r?\n/)) {
    const result = grammar.tokenizeLine(line, state);
    const tokens = result.tokens.map((t) => ({
      text: line.slice(t.startIndex, t.endIndex),
      start: t.startIndex,
      end: Math.min(t.endIndex, line.length),
      scopes: t.scopes,
    }));
    lines.push({ text: line, tokens, endState: result.ruleStack });
    state = result.ruleStack;
  }
  return lines;
}

/** Scopes of the token covering `column` of line `lineIndex`. */
function tokenAtColumn(lines, lineIndex, column) {
  const line = lines[lineIndex];
  const token = line.tokens.find((t) => t.start <= column && column < t.end);
  if (!token) {
    throw new Error(`no token at ${lineIndex}:${column} in ${JSON.stringify(line.text)}`);
  }
  return token;
}

const WORD = /[A-Za-z0-9_]/;

/** Whether `needle` at `col` of `text` is not part of a longer word (`runner` in `runners`). */
function isWholeWord(text, col, needle) {
  const before = text[col - 1];
  const after = text[col + needle.length];
  const startsWord = WORD.test(needle[0]) && before !== undefined && WORD.test(before);
  const endsWord = WORD.test(needle[needle.length - 1]) && after !== undefined && WORD.test(after);
  return !startsWord && !endsWord;
}

/**
 * The token that starts where the `nth` occurrence (0-based) of `needle`
 * starts, searching line by line and skipping occurrences inside a longer
 * word. Throws when the needle is missing.
 */
function findToken(lines, needle, nth = 0) {
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].text;
    for (let col = text.indexOf(needle); col >= 0; col = text.indexOf(needle, col + 1)) {
      if (!isWholeWord(text, col, needle)) continue;
      if (seen === nth) return tokenAtColumn(lines, i, col);
      seen++;
    }
  }
  throw new Error(`${JSON.stringify(needle)} (occurrence ${nth}) not found`);
}

/** Tokenizes a probe line in the state left after `lines` (without advancing). */
async function probeAfter(state, probe = '# probe') {
  const grammar = await loadGrammar();
  const result = grammar.tokenizeLine(probe, state);
  return result.tokens.map((t) => ({ text: probe.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
}

module.exports = { loadGrammar, tokenize, findToken, tokenAtColumn, probeAfter, EXTENSION_DIR, GRAMMAR_PATH };
