import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadScenario, parseOverride, mergeScenario } from '../src/scenario/load.ts';
import { InputError } from '../src/errors.ts';
import { scenarioJsonSchema } from '../src/scenario/schema.ts';
import { parseDuration, parseResolution } from '../src/units.ts';
import { issuesOf } from './support/issues.ts';


describe('scenario loading', () => {
  it('loads the default scenario with defaults filled in', () => {
    const { scenario } = loadScenario('scenarios/default.yaml');
    expect(scenario.name).toBe('wan22-a14b-1x8h100');
    expect(scenario.duration).toBe(8 * 3600);
    expect(scenario.scheduling.queue).toBe('fcfs');
    expect(scenario.workload.mix[0]!.resolution).toEqual({ width: 1280, height: 720 });
  });

  it('reports every problem at once with file:line:col, field path and did-you-mean', () => {
    const issues = issuesOf(() => loadScenario('test/fixtures/bad.yaml'));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['duration']!.line).toBe(3);
    expect(byPath['duration']!.message).toMatch(/duration/);
    expect(byPath['workload.mix.0.frmaes']!.line).toBe(18);
    expect(byPath['workload.mix.0.frmaes']!.hint).toMatch(/"frames"/);
    expect(byPath['scheduling.routing']!.line).toBe(20);
    expect(byPath['scheduling.routing']!.hint).toMatch(/least-outstanding/);
    for (const i of issues) expect(i.source).toBe('test/fixtures/bad.yaml');
  });

  it('checks catalog ids together with schema errors, with suggestions', () => {
    const issues = issuesOf(() => loadScenario('test/fixtures/bad.yaml'));
    const model = issues.find((i) => i.path === 'model')!;
    expect(model.message).toMatch(/unknown model/);
    expect(model.hint).toMatch(/"wan2.2-t2v-a14b"/);
    expect(model.line).toBe(4);
    const viaSet = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['cluster.nodes.0.type=hgx-h100-smx-8'] }));
    const node = viaSet.find((i) => i.path === 'cluster.nodes.0.type')!;
    expect(node.source).toBe('--set cluster.nodes.0.type=hgx-h100-smx-8');
    expect(node.hint).toMatch(/hgx-h100-sxm-8/);
  });

  it('blames an unknown field a --set wrote on the flag, not on a line of the file', () => {
    const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['nope=1', 'workload.arrivals.rate_pre_hour=3'] }));
    expect(issues.map((i) => [i.path, i.source, i.line])).toEqual([
      ['workload.arrivals.rate_pre_hour', '--set workload.arrivals.rate_pre_hour=3', undefined],
      ['nope', '--set nope=1', undefined],
    ]);
    expect(issues[0]!.hint).toMatch(/"rate_per_hour"/);
    // the unknown key is a mapping the flag created on its way down (it was blamed on default.yaml:23:3, the
    // "arrivals:" line the user never misspelled)
    const deep = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['workload.arrival.rate_per_hour=30'] }));
    expect(deep.map((i) => [i.path, i.source, i.line])).toEqual([['workload.arrival', '--set workload.arrival.rate_per_hour=30', undefined]]);
    // a key written in the file is still located at its line
    expect(issuesOf(() => loadScenario('test/fixtures/bad.yaml')).find((i) => i.path === 'workload.mix.0.frmaes')).toMatchObject({ source: 'test/fixtures/bad.yaml', line: 18 });
  });

  it('a number written with its unit ("30m", "20/h") names the unit the field is in and the number to write (it said only "expected number, received string")', () => {
    const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['workload.mix.0.slo_s=30m', 'workload.arrivals.rate_per_hour=1/min', 'failures.gpu.mtbf_h=2d', 'failures.gpu.mttr_h=4h', 'scheduling.timeout_s=fast'] }));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['workload.mix.0.slo_s']).toMatchObject({ source: '--set workload.mix.0.slo_s=30m', message: 'expected a number of seconds, got "30m"', hint: 'write 1800 — "30m" in seconds, the unit its _s suffix stands for' });
    expect(byPath['workload.arrivals.rate_per_hour']!.hint).toMatch(/^write 60 — "1\/min" in requests per hour/);
    expect(byPath['failures.gpu.mtbf_h']!.hint).toMatch(/^write 48 — "2d" in hours/);
    expect(byPath['failures.gpu.mttr_h']!.hint).toMatch(/^write 4 — /);
    // not a quantity at all: the unit, and no number to suggest
    expect(byPath['scheduling.timeout_s']).toMatchObject({ message: 'expected a number of seconds, got "fast"', hint: undefined });
  });

  it('a value of the wrong kind says what was written and what the field holds (it said "Invalid input: expected string, received object")', () => {
    const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['workload.mix.0.resolution={width: 1280, height: 720}', 'drain=5', 'cluster=5'] }));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['workload.mix.0.resolution']).toMatchObject({ message: 'expected a string, got a mapping {"width":1280,"height":720}', hint: expect.stringContaining('"WIDTHxHEIGHT" (e.g. 1280x720)') });
    expect(byPath['drain']).toMatchObject({ message: 'expected true or false, got 5' });
    expect(byPath['cluster']).toMatchObject({ message: 'expected a mapping (key: value lines), got 5' });
    for (const i of issues) expect(i.message).not.toMatch(/Invalid input|received/);
  });

  it('refuses --set extends= (it was dropped: the chain is read before --set applies)', () => {
    const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['extends=/nonexistent.yaml', 'duration=1h'] }));
    expect(issues).toEqual([expect.objectContaining({ source: '--set extends=/nonexistent.yaml', path: 'extends', message: expect.stringMatching(/^extends cannot be set with --set: /) })]);
  });

  it('reports YAML syntax errors with their position', () => {
    const issues = issuesOf(() => loadScenario('test/fixtures/syntax.yaml'));
    expect(issues[0]!.line).toBe(2);
    expect(issues[0]!.message).toMatch(/YAML syntax/);
  });

  it('applies extends (child overrides parent, mappings merge) and locates errors in the right file', () => {
    const { scenario, files } = loadScenario('test/fixtures/child.yaml');
    expect(files.length).toBe(2);
    expect(scenario.name).toBe('child-of-default');
    expect(scenario.duration).toBe(7200);
    expect(scenario.model).toBe('wan2.2-t2v-a14b'); // inherited
    expect(scenario.workload.mix.length).toBe(2); // inherited list
    const issues = issuesOf(() => loadScenario('test/fixtures/child.yaml', { set: ['deployment.replicas=0'] }));
    expect(issues[0]!.source).toMatch(/--set deployment.replicas=0/);
    const parentIssue = issuesOf(() => loadScenario('test/fixtures/child.yaml', { set: ['workload.mix.0.weight=-1'] }));
    expect(parentIssue[0]!.path).toBe('workload.mix.0.weight');
  });

  it('parses --set overrides as YAML values, with index syntax', () => {
    expect(parseOverride('a.b[2].c=30')).toMatchObject({ path: ['a', 'b', 2, 'c'], value: 30 });
    expect(parseOverride('x=true').value).toBe(true);
    expect(parseOverride('x="ulysses=8"').value).toBe('ulysses=8');
    expect(parseOverride('x=[1, 2]').value).toEqual([1, 2]);
    // an empty value would parse as null and silently remove the field (deployment.replicas= ran 1 replica)
    expect(() => parseOverride('deployment.replicas=')).toThrow(/no value after "="/);
    expect(() => parseOverride('deployment.replicas= ')).toThrow(InputError);
    expect(parseOverride('deployment.replicas=null').value).toBeNull();
    expect(() => parseOverride('novalue')).toThrow(InputError);
    const { scenario } = loadScenario('scenarios/default.yaml', { set: ['workload.arrivals.rate_per_hour=7', 'seed=9'] });
    expect(scenario.workload.arrivals).toMatchObject({ rate_per_hour: 7 });
    expect(scenario.seed).toBe(9);
  });

  it('merges mappings deeply and replaces lists', () => {
    expect(mergeScenario({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });

  it('rejects an extends cycle', () => {
    const issues = issuesOf(() => loadScenario('test/fixtures/cycle-a.yaml'));
    expect(issues[0]!.message).toMatch(/cycle/);
  });

  it('keeps the committed JSON Schema in sync with the zod schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync('scenario.schema.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });
});

describe('units', () => {
  it('parses durations and resolutions', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('7d')).toBe(7 * 86400);
    expect(parseDuration(12)).toBe(12);
    expect(parseDuration('soon')).toBeUndefined();
    // malformed numbers are undefined, never NaN (a NaN bound compares false and silently passes)
    for (const bad of ['1..5', '1.0.0', '.', '..', '1e999', '1e999h']) expect(parseDuration(bad), bad).toBeUndefined();
    expect(parseDuration('1.5')).toBe(1.5);
    expect(parseDuration('.5')).toBe(0.5);
    expect(parseResolution('1280x720')).toEqual({ width: 1280, height: 720 });
    expect(parseResolution('480p')).toEqual({ width: 832, height: 480 });
    expect(parseResolution('big')).toBeUndefined();
  });
});

describe('override values', () => {
  it('reads plain numbers and words exactly as the YAML parser does (the fast path skips it)', async () => {
    const { parse } = await import('yaml');
    const { parseValue } = await import('../src/scenario/load.ts');
    const texts = ['0', '-0', '7', '30', '-12', '1.5', '1.50', '0.1', '-0.000123', '1e5', '1E-7', '2.5e+3', '123456789012345', '999999999999999.9',
      '1.7959183673469388', '0.30000000000000004', '1e400', '-1e-400', '00', '007', '+3', '.5', '5.', '1_000', '0x1f', '0o17', '1e', ' 3', '3 ',
      'true', 'false', 'null', 'True', 'NULL', '~', 'yes', '"3"', '[1, 2]', '{a: 1}', 'h100-sxm'];
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31; // a fixed sequence of fractions
    for (let i = 0; i < 300; i++) texts.push(String(next() * 10 ** ((i % 40) - 20)), String(Math.round(next() * 10 ** (i % 18))), JSON.stringify(-next()));
    for (const t of texts) {
      const want = parse(t);
      if (typeof want === 'object' && want !== null) expect(parseValue(t), t).toEqual(want);
      else expect(Object.is(parseValue(t), want), t).toBe(true);
    }
  });
});

describe('cached scenario chains', () => {
  it('copy a parsed scenario as structuredClone does, own "__proto__" keys included, sharing nothing', async () => {
    const { cloneData } = await import('../src/scenario/load.ts');
    const { YamlSource } = await import('../src/scenario/yaml-source.ts');
    const values = ['scenarios/production-day.yaml', 'scenarios/mixed-models.yaml', 'scenarios/postprocess.yaml'].map((f) => YamlSource.read(f).value());
    values.push(JSON.parse('{"a": {"__proto__": {"x": 1}, "l": [1, null, "s", {"b": true}]}, "n": null}'));
    for (const v of values) {
      const c = cloneData(v);
      expect(c).toStrictEqual(structuredClone(v));
      expect(JSON.stringify(c)).toBe(JSON.stringify(v));
      expect(c).not.toBe(v);
    }
    const last = cloneData(values.at(-1)) as { a: Record<string, unknown> };
    expect(Object.hasOwn(last.a, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(last.a)).toBe(Object.prototype);
    (last.a.l as unknown[]).push(2);
    expect((values.at(-1) as { a: { l: unknown[] } }).a.l).toHaveLength(4);
  });
});

describe('thousands separators without Intl', () => {
  it('writes whole numbers as toLocaleString("en-US") does', async () => {
    const { thousands } = await import('../src/units.ts');
    const xs = [0, -0, 1, 12, 123, 1234, -1234, 12345, 123456, 1234567, 1e6, 1e8, 1e9, 1e11, -999999, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e21, 2 ** 60, 1.5, 1234.5678, NaN, Infinity];
    for (let i = 0; i < 60; i++) xs.push(Math.round(7.3 ** (i % 19)) * (i % 2 ? -1 : 1));
    for (const x of xs) expect(thousands(x), String(x)).toBe(x.toLocaleString('en-US'));
  });
});
