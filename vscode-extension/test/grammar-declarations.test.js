'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { expectToken, tokenize, tokensWithScope } = require('../testing/assertions');

test('import, a module string and an alias', async () => {
  const lines = await tokenize('import "std/runners" as std\nimport "./tenants.pipe"');
  expectToken(lines, 'import', 'keyword.control.import.pipe');
  expectToken(lines, 'std/runners', 'string.quoted.double.pipe');
  expectToken(lines, 'as', 'keyword.control.import.as.pipe');
  expectToken(lines, 'std', 'entity.name.namespace.pipe', { nth: 1 });
  expectToken(lines, './tenants.pipe', 'string.quoted.double.pipe');
});

test('declaration names are entity.name.*', async () => {
  const text = [
    'environment local {',
    'profile etl_heavy { cpu = "2", memory = "8Gi" }',
    'tenant acme {',
    'pipeline sales {',
    'runner noop {',
    'enum load_mode { full_refresh, incremental }',
  ].join('\n');
  const lines = await tokenize(text);
  const cases = [
    ['environment', 'local', 'entity.name.type.environment.pipe'],
    ['profile', 'etl_heavy', 'entity.name.type.profile.pipe'],
    ['tenant', 'acme', 'entity.name.type.tenant.pipe'],
    ['pipeline', 'sales', 'entity.name.type.pipeline.pipe'],
    ['runner', 'noop', 'entity.name.function.runner.pipe'],
    ['enum', 'load_mode', 'entity.name.type.enum.pipe'],
  ];
  for (const [keyword, name, scope] of cases) {
    expectToken(lines, keyword, 'keyword.other.declaration.pipe');
    expectToken(lines, name, scope);
  }
});

test('platform opens a block', async () => {
  const lines = await tokenize('platform {\n  registry = "r"\n}');
  expectToken(lines, 'platform', 'keyword.other.declaration.pipe');
  expectToken(lines, '{', 'punctuation.section.braces.begin.pipe');
  expectToken(lines, 'registry', 'variable.other.property.pipe');
  expectToken(lines, '}', 'punctuation.section.braces.end.pipe');
});

test('enum values are enum members, also across lines', async () => {
  const lines = await tokenize('enum load_mode {\n  full_refresh,  # all\n  incremental,\n}\nx = 1');
  expectToken(lines, 'full_refresh', 'variable.other.enummember.pipe');
  expectToken(lines, 'incremental', 'variable.other.enummember.pipe');
  expectToken(lines, '# all', 'comment.line.number-sign.pipe', { text: '#' });
  expectToken(lines, 'x', 'variable.other.property.pipe', { not: ['meta.enum'] });
});

test('a keyword before = is a field name', async () => {
  // the keys grammar/pipe.lark accepts besides plain names
  const keys = ['profile', 'tenant', 'platform', 'environment', 'enum', 'runner', 'pipeline', 'import', 'as', 'in', 'true', 'none'];
  const lines = await tokenize(keys.map((key, i) => `${key} = medium${i}`).join('\n'));
  for (const key of keys) {
    expectToken(lines, key, 'variable.other.property.pipe', { not: ['keyword', 'entity.name', 'constant'] });
  }
  expectToken(lines, 'medium0', 'variable.other.pipe', { not: ['entity.name'] });
});

test('keywords that start an entry stay keywords before =', async () => {
  const lines = await tokenize('task = 1\nfor = 2\nwhen = 3\nafter = 4\nsecret = 5\ngold = 6');
  for (const keyword of ['task', 'secret']) {
    expectToken(lines, keyword, 'keyword.other.declaration.pipe', { not: ['variable'] });
  }
  for (const keyword of ['for', 'when', 'after']) {
    expectToken(lines, keyword, `keyword.control.${keyword}.pipe`, { not: ['variable'] });
  }
  expectToken(lines, 'gold', 'keyword.other.layer.pipe', { not: ['variable'] });
});

test('profile = medium inside a when block of a task', async () => {
  const lines = await tokenize('      when prod { profile = etl_heavy }');
  expectToken(lines, 'when', 'keyword.control.when.pipe');
  expectToken(lines, 'prod', 'variable.other.environment.pipe');
  expectToken(lines, 'profile', 'variable.other.property.pipe', { not: ['keyword'] });
  expectToken(lines, 'etl_heavy', 'variable.other.pipe', { not: ['entity.name'] });
});

test('every keyword in its usual place', async () => {
  const text = [
    'import "std/runners" as std',
    'platform { }',
    'environment e { }',
    'profile p { }',
    'enum m { a }',
    'runner r(a: string) { }',
    'tenant t {',
    '  secret warehouse = k8s_secret("n", key = "k")',
    '}',
    'pipeline q {',
    '  bronze {',
    '    for x in ["a"] {',
    '      task load_${x} = r(a = x)',
    '    }',
    '  }',
    '  silver { task s = r(a = "b") after load_a }',
    '  gold { task g = r(a = "c") after s { when e { retries = 1 } } }',
    '}',
    'b = true',
    'c = false',
    'd = none',
  ].join('\n');
  const lines = await tokenize(text);
  expectToken(lines, 'import', 'keyword.control.import.pipe');
  expectToken(lines, 'as', 'keyword.control.import.as.pipe');
  for (const keyword of ['platform', 'environment', 'profile', 'enum', 'runner', 'tenant', 'pipeline', 'secret', 'task']) {
    expectToken(lines, keyword, 'keyword.other.declaration.pipe');
  }
  for (const layer of ['bronze', 'silver', 'gold']) {
    expectToken(lines, layer, 'keyword.other.layer.pipe');
  }
  expectToken(lines, 'for', 'keyword.control.for.pipe');
  expectToken(lines, 'in', 'keyword.control.in.pipe');
  expectToken(lines, 'after', 'keyword.control.after.pipe');
  expectToken(lines, 'when', 'keyword.control.when.pipe');
  expectToken(lines, 'true', 'constant.language.boolean.pipe');
  expectToken(lines, 'false', 'constant.language.boolean.pipe');
  expectToken(lines, 'none', 'constant.language.none.pipe');
  assert.equal(tokensWithScope(lines, 'invalid').length, 0);
});

test('layer keywords have their own scope', async () => {
  const lines = await tokenize('  bronze {\n  }\n  silver {\n  }\n  gold {\n  }');
  const layers = tokensWithScope(lines, 'keyword.other.layer.pipe').map((t) => t.text);
  assert.deepEqual(layers, ['bronze', 'silver', 'gold']);
});

test('tenant secret slots', async () => {
  const lines = await tokenize('  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")');
  expectToken(lines, 'secret', 'keyword.other.declaration.pipe');
  expectToken(lines, 'warehouse', 'entity.name.variable.secret.pipe');
  expectToken(lines, 'k8s_secret', 'support.function.builtin.pipe');
  expectToken(lines, 'acme-warehouse', 'string.quoted.double.pipe');
  expectToken(lines, 'key', 'variable.parameter.pipe');
});

test('task names, with and without ${x}', async () => {
  const lines = await tokenize('task stg_orders = dbt_run(select = "stg_orders")\ntask extract_${t}_raw = x()');
  expectToken(lines, 'task', 'keyword.other.declaration.pipe');
  expectToken(lines, 'stg_orders', 'entity.name.function.task.pipe');
  expectToken(lines, 'extract_', 'entity.name.function.task.pipe');
  expectToken(lines, '${', 'punctuation.section.interpolation.begin.pipe');
  expectToken(lines, '${', 'entity.name.function.task.pipe');
  expectToken(lines, 't}', 'variable.other.pipe', { text: 't' });
  expectToken(lines, 't}', 'meta.interpolation.pipe', { text: 't' });
  expectToken(lines, '}_raw', 'punctuation.section.interpolation.end.pipe', { text: '}' });
  expectToken(lines, '_raw', 'entity.name.function.task.pipe', { not: ['meta.interpolation'] });
});

test('a task name may hold several and dotted ${...} parts', async () => {
  const lines = await tokenize('task ${src.name}_to_${t} = x()');
  expectToken(lines, '${', 'entity.name.function.task.pipe');
  expectToken(lines, 'src', 'variable.other.pipe');
  expectToken(lines, 'name', 'variable.other.property.pipe');
  expectToken(lines, '_to_', 'entity.name.function.task.pipe', { not: ['meta.interpolation'] });
  expectToken(lines, 't', 'meta.interpolation.pipe');
  expectToken(lines, 'x', 'entity.name.function.call.pipe');
});

test('for loops name their variable', async () => {
  const lines = await tokenize('for t in ["customers", "orders"] {');
  expectToken(lines, 'for', 'keyword.control.for.pipe');
  expectToken(lines, 't', 'variable.other.loop.pipe');
  expectToken(lines, 'in', 'keyword.control.in.pipe');
  expectToken(lines, 'customers', 'string.quoted.double.pipe');
});

test('after lists, with ${x} in names and a continuation line', async () => {
  const text = 'task stg_${t} = dbt_run(select = "stg_${t}") after extract_${t}, raw_a,\n    raw_b {';
  const lines = await tokenize(text);
  expectToken(lines, 'after', 'keyword.control.after.pipe', { not: ['support.function'] });
  expectToken(lines, 'extract_', 'variable.other.pipe');
  expectToken(lines, '${', 'meta.interpolation.pipe', { nth: 2 });
  expectToken(lines, 'raw_a', 'variable.other.pipe');
  expectToken(lines, 'raw_b', 'variable.other.pipe');
  expectToken(lines, '${', 'string.quoted.double.pipe', { nth: 1 });
});

test('runner parameters: names, types, optional types, defaults', async () => {
  const text = [
    'runner postgres_extract(table: string, mode: load_mode = full_refresh,',
    '                        cursor: string? = none, since: string = "",',
    '                        n: int = -1, on: bool = true, wait: duration = 30s,',
    '                        cpu: quantity = "500m", items: list = [], vars: map = {},',
    '                        m: std.load_mode? = incremental) {',
    '  image = "${platform.registry}/postgres-runner:0.1.0"',
    '}',
  ].join('\n');
  const lines = await tokenize(text);
  expectToken(lines, 'runner', 'keyword.other.declaration.pipe');
  expectToken(lines, 'postgres_extract', 'entity.name.function.runner.pipe');
  expectToken(lines, '(', 'punctuation.section.parameters.begin.pipe');
  for (const param of ['table', 'mode', 'cursor', 'since', 'n', 'on', 'wait', 'cpu', 'items', 'vars', 'm']) {
    expectToken(lines, param + ':', 'variable.parameter.pipe', { text: param });
  }
  expectToken(lines, ':', 'punctuation.separator.type.pipe');
  const types = tokensWithScope(lines, 'storage.type.pipe').map((t) => t.text);
  assert.deepEqual(types, ['string', 'string', 'string', 'int', 'bool', 'duration', 'quantity', 'list', 'map']);
  expectToken(lines, 'string?', 'storage.type.pipe', { text: 'string' });
  expectToken(lines, '? = none', 'keyword.operator.optional.pipe', { text: '?' });
  expectToken(lines, 'load_mode', 'entity.name.type.pipe');
  expectToken(lines, 'std.load_mode', 'entity.name.type.pipe');
  expectToken(lines, 'full_refresh', 'variable.other.pipe');
  expectToken(lines, 'none', 'constant.language.none.pipe');
  expectToken(lines, '-1', 'constant.numeric.integer.pipe');
  expectToken(lines, '30s', 'constant.numeric.duration.pipe');
  expectToken(lines, '500m', 'string.quoted.double.pipe');
  expectToken(lines, ') {', 'punctuation.section.parameters.end.pipe', { text: ')' });
  expectToken(lines, 'image', 'variable.other.property.pipe', { not: ['meta.function.runner'] });
  assert.equal(tokensWithScope(lines, 'invalid').length, 0);
});
