'use strict';
// Finds the pipec executable named by the `pipec.path` setting, the way a shell would.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function isExecutableFile(file, platform) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function expandHome(value, homedir) {
  if (value === '~') return homedir;
  if (value.startsWith('~/') || value.startsWith('~\\')) return path.join(homedir, value.slice(2));
  return value;
}

function windowsCandidates(file, env) {
  if (path.extname(file)) return [file];
  const exts = (env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  return [file, ...exts.map((ext) => file + ext.toLowerCase()), ...exts.map((ext) => file + ext)];
}

/**
 * Absolute path of the executable `configured` names, or null when there is none.
 *
 * configured: the setting's value; a bare name is searched on PATH, a value with a
 *   path separator is taken as a file (relative to `cwd`), `~` is the home folder.
 * options.env: the environment whose PATH (and PATHEXT on Windows) is searched.
 * options.platform: process.platform of the machine.
 * options.cwd: folder that a relative path is resolved against.
 * options.homedir: what `~` expands to.
 */
function resolveExecutable(configured, options = {}) {
  const env = options.env || process.env;
  const platform = options.platform || process.platform;
  const cwd = options.cwd || process.cwd();
  const homedir = options.homedir || os.homedir();
  const value = expandHome(String(configured || '').trim(), homedir);
  if (!value) return null;
  const candidates = (file) => (platform === 'win32' ? windowsCandidates(file, env) : [file]);
  const hasSeparator = value.includes('/') || (platform === 'win32' && value.includes('\\'));
  if (hasSeparator || path.isAbsolute(value)) {
    const file = path.resolve(cwd, value);
    return candidates(file).find((f) => isExecutableFile(f, platform)) || null;
  }
  const pathVar = env.PATH || env.Path || '';
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    const found = candidates(path.join(dir, value)).find((f) => isExecutableFile(f, platform));
    if (found) return found;
  }
  return null;
}

module.exports = { resolveExecutable };
