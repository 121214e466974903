'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { expectToken, tokenize, tokensWithScope } = require('../testing/assertions');

test('durations', async () => {
  const lines = await tokenize('a = 30s\nb = 5m\nc = 2h\nd = 1d\ne = 90m');
  for (const duration of ['30s', '5m', '2h', '1d', '90m']) {
    expectToken(lines, duration, 'constant.numeric.duration.pipe', { not: ['invalid'] });
  }
});

test('a duration with an unknown unit is invalid', async () => {
  const lines = await tokenize('timeout = 5min\nretry_delay = 2w');
  expectToken(lines, '5min', 'invalid.illegal.duration.pipe');
  expectToken(lines, '2w', 'invalid.illegal.duration.pipe');
  const bare = await tokenize('memory = 10Gi');
  expectToken(bare, '10Gi', 'invalid.illegal.duration.pipe');
});

test('integers, negative integers and zero', async () => {
  const lines = await tokenize('retries = 3\noffset = -12\npool = 0\nquota = { pods = 40 }');
  expectToken(lines, '3', 'constant.numeric.integer.pipe');
  expectToken(lines, '-12', 'constant.numeric.integer.pipe');
  expectToken(lines, '0', 'constant.numeric.integer.pipe');
  expectToken(lines, '40', 'constant.numeric.integer.pipe');
});

test('digits inside names and strings are not numbers', async () => {
  const lines = await tokenize('task k8s_load_2 = v2(x = "30s 12")');
  assert.equal(tokensWithScope(lines, 'constant.numeric').length, 0);
  expectToken(lines, 'k8s_load_2', 'entity.name.function.task.pipe');
  expectToken(lines, 'v2', 'entity.name.function.call.pipe');
});

test('booleans and none', async () => {
  const lines = await tokenize('a = true\nb = false\nc = none');
  expectToken(lines, 'true', 'constant.language.boolean.pipe');
  expectToken(lines, 'false', 'constant.language.boolean.pipe');
  expectToken(lines, 'none', 'constant.language.none.pipe');
});

test('built-in enum values and the manual schedule', async () => {
  const lines = await tokenize('operator = docker\noperator = kubernetes\nenclave = standard\nenclave = high_security\nschedule = manual');
  for (const value of ['docker', 'kubernetes', 'standard', 'high_security']) {
    expectToken(lines, value, 'support.constant.enum.pipe');
  }
  expectToken(lines, 'manual', 'support.constant.schedule.pipe');
});

test('tenant, platform and run start dotted references', async () => {
  const lines = await tokenize('args = ["--target", tenant.schema, platform.registry, run.run_id]');
  for (const head of ['tenant', 'platform', 'run']) {
    expectToken(lines, head, 'variable.language.pipe', { not: ['keyword'] });
  }
  for (const member of ['schema', 'registry', 'run_id']) {
    expectToken(lines, member, 'variable.other.property.pipe');
  }
  assert.equal(tokensWithScope(lines, 'punctuation.accessor.pipe').length, 3);
});

test('other dotted references: an alias or another declaration', async () => {
  const lines = await tokenize('profile = std.medium\nx = [globex.schema]');
  expectToken(lines, 'std', 'variable.other.object.pipe');
  expectToken(lines, 'medium', 'variable.other.property.pipe');
  expectToken(lines, 'globex', 'variable.other.object.pipe');
  expectToken(lines, 'schema', 'variable.other.property.pipe');
});

test('bare names in lists and values are references', async () => {
  const lines = await tokenize('tenants = [acme, globex]\nsecrets = [warehouse]\nprofile = medium');
  for (const name of ['acme', 'globex', 'warehouse', 'medium']) {
    expectToken(lines, name, 'variable.other.pipe');
  }
  expectToken(lines, '[', 'punctuation.section.brackets.begin.pipe');
  expectToken(lines, ',', 'punctuation.separator.comma.pipe');
  expectToken(lines, ']', 'punctuation.section.brackets.end.pipe');
  expectToken(lines, '=', 'keyword.operator.assignment.pipe');
});

test('built-in functions: k8s_secret, email, after', async () => {
  const lines = await tokenize([
    '  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")',
    '  on_failure = email("oncall@example.com")',
    '  schedule = after(ingest)',
  ].join('\n'));
  for (const fn of ['k8s_secret', 'email', 'after']) {
    expectToken(lines, fn, 'support.function.builtin.pipe', { not: ['keyword'] });
    expectToken(lines, fn, 'meta.function-call.pipe');
  }
  expectToken(lines, '(', 'punctuation.section.arguments.begin.pipe');
  expectToken(lines, ')', 'punctuation.section.arguments.end.pipe');
  expectToken(lines, 'ingest', 'variable.other.pipe');
  expectToken(lines, 'key', 'variable.parameter.pipe');
});

test('runner calls: the function, named arguments and an alias', async () => {
  const text = [
    'task extract_${t} = std.postgres_extract(table = t, mode = incremental, cursor = "updated_at",',
    '                                         since = "${run.ds}")',
    'task b = dbt_run(select = "b") after extract_a',
  ].join('\n');
  const lines = await tokenize(text);
  expectToken(lines, 'std', 'entity.name.namespace.pipe');
  expectToken(lines, 'postgres_extract', 'entity.name.function.call.pipe');
  expectToken(lines, 'dbt_run', 'entity.name.function.call.pipe');
  for (const arg of ['table', 'mode', 'cursor', 'since', 'select']) {
    expectToken(lines, arg, 'variable.parameter.pipe', { not: ['variable.other.property'] });
  }
  expectToken(lines, 't,', 'variable.other.pipe', { text: 't' });
  expectToken(lines, 'incremental', 'variable.other.pipe');
  expectToken(lines, 'run', 'variable.language.pipe');
  expectToken(lines, 'after', 'keyword.control.after.pipe', { not: ['meta.function-call'] });
});

test('map keys: UPPER_CASE and lower-case', async () => {
  const lines = await tokenize([
    'secrets = { DB_URL = warehouse, WAREHOUSE_DSN = warehouse }',
    'env = {',
    '  LOG_LEVEL = "info",',
    '}',
    'quota = { cpu = "8", memory = "32Gi", pods = 40 }',
  ].join('\n'));
  for (const key of ['DB_URL', 'WAREHOUSE_DSN', 'LOG_LEVEL']) {
    expectToken(lines, key, 'variable.other.constant.key.pipe');
  }
  for (const key of ['secrets', 'env', 'quota', 'cpu', 'memory', 'pods']) {
    expectToken(lines, key, 'variable.other.property.pipe');
  }
  expectToken(lines, '{', 'punctuation.section.braces.begin.pipe');
  expectToken(lines, '}', 'punctuation.section.braces.end.pipe');
});

test('a field name may contain digits and stay a field', async () => {
  const lines = await tokenize('run_as_user = 10001\nkubernetes_version = "1.31"');
  expectToken(lines, 'run_as_user', 'variable.other.property.pipe', { not: ['variable.language'] });
  expectToken(lines, 'kubernetes_version', 'variable.other.property.pipe', { not: ['support.constant'] });
  expectToken(lines, '10001', 'constant.numeric.integer.pipe');
});
