'use strict';
// Folding ranges for .pipe text: multi-line { } [ ] ( ) blocks, runs of comment
// lines, and `# region` / `# endregion` markers. Brackets inside strings and
// comments do not count. Pure: no dependency on the vscode module.

const OPENERS = { '{': '}', '[': ']', '(': ')' };
const CLOSERS = new Set(['}', ']', ')']);
const REGION_START = /^\s*#\s*region\b/;
const REGION_END = /^\s*#\s*endregion\b/;

/** Brackets of one line that are code: outside strings and before a comment. */
function codeBrackets(line) {
  const brackets = [];
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '#' || line.startsWith('///', i)) {
      return brackets;
    } else if (OPENERS[ch] || CLOSERS.has(ch)) {
      brackets.push({ ch, column: i });
    }
  }
  return brackets;
}

function bracketRanges(lines) {
  const ranges = [];
  const stack = [];
  lines.forEach((line, lineNo) => {
    for (const { ch } of codeBrackets(line)) {
      if (OPENERS[ch]) {
        stack.push({ close: OPENERS[ch], line: lineNo });
        continue;
      }
      const at = stack.map((open) => open.close).lastIndexOf(ch);
      if (at < 0) continue;
      const open = stack[at];
      stack.length = at;
      if (lineNo - 1 > open.line) ranges.push({ start: open.line, end: lineNo - 1 });
    }
  });
  return ranges;
}

function commentKind(line) {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('///')) return 'doc';
  if (trimmed.startsWith('#') && !REGION_START.test(line) && !REGION_END.test(line)) return 'line';
  return null;
}

function commentRanges(lines) {
  const ranges = [];
  let start = 0;
  for (let i = 1; i <= lines.length; i++) {
    const kind = commentKind(lines[start]);
    if (i < lines.length && kind && commentKind(lines[i]) === kind) continue;
    if (kind && i - 1 > start) ranges.push({ start, end: i - 1, kind: 'comment' });
    start = i;
  }
  return ranges;
}

function regionRanges(lines) {
  const ranges = [];
  const open = [];
  lines.forEach((line, lineNo) => {
    if (REGION_START.test(line)) open.push(lineNo);
    else if (REGION_END.test(line) && open.length) ranges.push({ start: open.pop(), end: lineNo, kind: 'region' });
  });
  return ranges;
}

/**
 * Folding ranges of `text` as { start, end, kind } with 0-based line numbers;
 * kind is 'comment', 'region' or undefined (a bracket block). A bracket block
 * ends on the line before its closing bracket, which stays visible.
 */
function foldingRanges(text) {
  const lines = text.split(/\r?\n/);
  const ranges = [...bracketRanges(lines), ...commentRanges(lines), ...regionRanges(lines)];
  return ranges.sort((a, b) => a.start - b.start || b.end - a.end);
}

module.exports = { foldingRanges };
