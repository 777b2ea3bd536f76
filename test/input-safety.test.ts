/**
 * State and security of input handling (issue 20): `--set` and YAML keys cannot reach object prototypes,
 * `extends:` reads only regular YAML files of bounded size and quotes at most the offending value, and a null
 * in a child scenario removes what it inherits (as `--set path=null` does).
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, parseOverride, mergeScenario } from '../src/scenario/load.ts';
import { InputError, formatIssues } from '../src/errors.ts';
import { MAX_SCENARIO_BYTES } from '../src/scenario/yaml-source.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { issuesOf } from './support/issues.ts';
import { startSimulation } from '../src/serving/simulate.ts';
import { runEstimate } from '../src/api/estimate-run.ts';
import { parseRequest } from '../src/api/request-issues.ts';
import { EstimateRequestSchema } from '../src/api/estimate.ts';
import { listing } from '../src/api/catalog.ts';
import { loadBaseline } from '../src/check/baseline.ts';


/** Object.prototype's own keys, to check that nothing was added to it. */
const protoKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const PROTO_BEFORE = protoKeys();

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'vgsim-safety-'));
}

afterEach(() => {
  expect(protoKeys()).toBe(PROTO_BEFORE);
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});

describe('--set paths cannot reach prototypes', () => {
  for (const path of ['__proto__.x', 'constructor.prototype.x', 'workload.__proto__.x', 'cluster.nodes.0.constructor.prototype.x', 'prototype']) {
    it(`--set ${path}=1 is an input error (exit 2) and Object.prototype is untouched`, () => {
      const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set: [`${path}=1`] }));
      expect(issues).toHaveLength(1);
      expect(issues[0]!.source).toBe(`--set ${path}=1`);
      expect(issues[0]!.message).toMatch(/is not a scenario field/);
      expect(() => parseOverride(`${path}=1`)).toThrow(InputError);
    });
  }

  it('a later load in the same process is unaffected (what a sweep worker does next)', () => {
    issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['__proto__.duration=1'], cache: true }));
    const { scenario } = loadScenario('scenarios/default.yaml', { set: ['duration=2h'], cache: true });
    expect(scenario.duration).toBe(7200);
    expect((scenario as unknown as Record<string, unknown>).x).toBeUndefined();
  });

  it('a sweep whose parameters or variants name __proto__ is refused before any point runs', () => {
    const d = dir();
    const base = 'extends: ' + join(process.cwd(), 'scenarios/default.yaml') + '\n';
    writeFileSync(join(d, 's.yaml'), base + 'sweep:\n  parameters:\n    __proto__.polluted: [1, 2]\n');
    expect(formatIssues(issuesOf(() => expandSweep(loadScenario(join(d, 's.yaml')))))).toMatch(/s\.yaml:4:\d+ +sweep\.parameters\.__proto__\.polluted: "__proto__\.polluted" is not a field path/);
    writeFileSync(join(d, 'v.yaml'), base + 'sweep:\n  variants:\n    - {name: a, set: {"constructor.prototype.polluted": 1}}\n    - {name: b, set: {duration: 60}}\n');
    expect(formatIssues(issuesOf(() => expandSweep(loadScenario(join(d, 'v.yaml')))))).toMatch(/constructor/);
    // every point of a valid sweep in the same process still loads as it would alone
    writeFileSync(join(d, 'ok.yaml'), base + 'sweep:\n  variants:\n    - {name: a, set: {duration: 60}}\n');
    const plan = expandSweep(loadScenario(join(d, 'ok.yaml')));
    expect(loadScenario(join(d, 'ok.yaml'), { set: plan.points[0]!.set }).scenario.duration).toBe(60);
  });

  it('a YAML key named __proto__ stays a (rejected) field, never a prototype', () => {
    const merged = mergeScenario({ a: 1 }, JSON.parse('{"__proto__": {"polluted": 1}, "b": 2}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    const d = dir();
    writeFileSync(join(d, 'p.yaml'), 'extends: ' + join(process.cwd(), 'scenarios/default.yaml') + '\n__proto__:\n  polluted: 1\n');
    const issues = issuesOf(() => loadScenario(join(d, 'p.yaml')));
    expect(issues[0]!.message).toMatch(/unknown field "__proto__"/);
    expect(issues[0]!.line).toBe(2);
  });
});

describe('extends reads only regular YAML files of bounded size', () => {
  const child = (d: string, target: string) => {
    writeFileSync(join(d, 'child.yaml'), `extends: ${target}\nname: child\n`);
    return join(d, 'child.yaml');
  };

  it('refuses a file that is not .yaml/.yml/.json at the extends line, without reading it', () => {
    const issues = issuesOf(() => loadScenario(child(dir(), '/etc/passwd')));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 1, col: 10, path: 'extends' });
    expect(issues[0]!.message).toMatch(/\.yaml, \.yml or \.json/);
    expect(formatIssues(issues)).not.toMatch(/root:/);
  });

  it('refuses devices (/dev/zero), directories and FIFOs, even named .yaml, without blocking', () => {
    const d = dir();
    symlinkSync('/dev/zero', join(d, 'zero.yaml'));
    mkdirSync(join(d, 'folder.yaml'));
    execFileSync('mkfifo', [join(d, 'fifo.yaml')]);
    for (const [name, why] of [['zero.yaml', /not a regular file/], ['folder.yaml', /is a directory/], ['fifo.yaml', /not a regular file/]] as const) {
      const issues = issuesOf(() => loadScenario(child(d, name)));
      expect(issues[0]).toMatchObject({ line: 1, path: 'extends' });
      expect(issues[0]!.message).toMatch(why);
    }
    // the scenario named on the command line gets the same checks
    expect(issuesOf(() => loadScenario(join(d, 'zero.yaml')))[0]!.message).toMatch(/not a regular file/);
  });

  it(`refuses a file over ${MAX_SCENARIO_BYTES} bytes`, () => {
    const d = dir();
    writeFileSync(join(d, 'huge.yaml'), `# ${'x'.repeat(MAX_SCENARIO_BYTES)}\nname: huge\n`);
    const issues = issuesOf(() => loadScenario(child(d, 'huge.yaml')));
    expect(issues[0]!.message).toMatch(/a scenario file is at most 1,048,576/);
  });

  it('quotes at most the start of an offending value, never the rest of the file', () => {
    const d = dir();
    const secret = Array.from({ length: 20 }, (_, i) => `secret-line-${i}`).join('\n');
    writeFileSync(join(d, 'parent.yaml'), `model: |\n${secret.replace(/^/gm, '  ')}\nscheduling:\n  routing: ${'y'.repeat(200)}\n`);
    const text = formatIssues(issuesOf(() => loadScenario(child(d, 'parent.yaml'))));
    expect(text).not.toMatch(/secret-line-1\b/);
    expect(text).not.toMatch(/y{61}/);
  });
});

describe('null in a child scenario removes an inherited field', () => {
  it('switches a Poisson parent to trace replay', () => {
    const d = dir();
    writeFileSync(join(d, 'trace.csv'), 'timestamp_s\n0\n10\n');
    writeFileSync(join(d, 'child.yaml'), `extends: ${join(process.cwd(), 'scenarios/default.yaml')}\nworkload:\n  arrivals:\n    process: trace\n    file: trace.csv\n    rate_per_hour: null\n`);
    const { scenario } = loadScenario(join(d, 'child.yaml'));
    expect(scenario.workload.arrivals).toEqual({ process: 'trace', file: 'trace.csv' });
  });

  it('without the null, says the field does not apply to trace replay and never suggests the field itself', () => {
    const d = dir();
    writeFileSync(join(d, 'child.yaml'), `extends: ${join(process.cwd(), 'scenarios/default.yaml')}\nworkload:\n  arrivals:\n    process: trace\n    file: trace.csv\n`);
    const issue = issuesOf(() => loadScenario(join(d, 'child.yaml'))).find((i) => i.path === 'workload.arrivals.rate_per_hour')!;
    expect(issue.message).toBe('"rate_per_hour" does not apply with process: trace');
    expect(issue.hint).toMatch(/allowed here: process, file, rate_per_s/);
    expect(issue.hint).toMatch(/rate_per_hour: null/);
    expect(issue.hint).not.toMatch(/did you mean "rate_per_hour"/);
  });

  it('a null that removes nothing is still judged by the schema', () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), `extends: ${join(process.cwd(), "scenarios/default.yaml")}\ndrain:\n`);
    expect(issuesOf(() => loadScenario(join(d, 's.yaml')))[0]).toMatchObject({ path: "drain", line: 2 });
  });
});

describe('found by the fuzz test (test/fuzz.test.ts)', () => {
  it('a YAML alias without its anchor, or aliases that expand without bound, are input errors at the alias', () => {
    const d = dir();
    writeFileSync(join(d, 'alias.yaml'), 'name: t\nmodel: wan2.1-t2v-1.3b\nduration: *nope\n');
    const [i] = issuesOf(() => loadScenario(join(d, 'alias.yaml')));
    expect(i).toMatchObject({ line: 3, col: 11 });
    expect(i!.message).toMatch(/^YAML: Unresolved alias .*nope/);
    const level = (name: string, of: string) => `${name}: &${name} [${Array(10).fill(`*${of}`).join(', ')}]`;
    writeFileSync(join(d, 'laughs.yaml'), ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', level('b', 'a'), level('c', 'b'), level('d', 'c'), level('e', 'd')].join('\n') + '\n');
    expect(issuesOf(() => loadScenario(join(d, 'laughs.yaml')))[0]!.message).toMatch(/^YAML: Excessive alias count/);
  });

  it('YAML oddities say what they are: CR-only line endings, a merge key (<<), nesting too deep for the parser', () => {
    const d = dir();
    writeFileSync(join(d, 'cr.yaml'), '# a scenario\rname: t\rmodel: wan2.1-t2v-1.3b\r');
    const [cr, ...more] = issuesOf(() => loadScenario(join(d, 'cr.yaml')));
    expect(more).toEqual([]);
    expect(cr).toMatchObject({ line: 1, col: 13 });
    expect(cr!.message).toMatch(/^line endings: a carriage return \(CR\) without a line feed/);
    // CRLF stays fine
    writeFileSync(join(d, 'crlf.yaml'), readFileSync('scenarios/default.yaml', 'utf8').replaceAll('\n', '\r\n'));
    expect(loadScenario(join(d, 'crlf.yaml')).scenario.name).toBe('wan22-a14b-1x8h100');
    writeFileSync(join(d, 'merge.yaml'), `extends: ${join(process.cwd(), 'scenarios/default.yaml')}\nbase: &b\n  replicas: 8\ndeployment:\n  <<: *b\n  name: a14b\n`);
    expect(issuesOf(() => loadScenario(join(d, 'merge.yaml')))).toEqual([expect.objectContaining({ line: 5, col: 3, message: 'YAML merge keys (<<) are not supported', hint: expect.stringMatching(/extends:/) })]);
    writeFileSync(join(d, 'deep.yaml'), `name: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    const deep = issuesOf(() => loadScenario(join(d, 'deep.yaml')));
    expect(deep[0]!.message).toMatch(/^YAML: the nesting is too deep/);
    expect(formatIssues(deep)).not.toMatch(/call stack/);
  });

  it('YAML a user gets wrong is named in the file\'s words: a duplicate key and where it first was, a second document, an empty file', () => {
    const d = dir();
    const text = readFileSync('scenarios/default.yaml', 'utf8');
    writeFileSync(join(d, 'dup.yaml'), text.replace('seed: 42\n', 'seed: 42\nseed: 43\n').replace('      weight: 0.3\n', '      weight: 0.3\n      weight: 0.4\n'));
    // the parser said "Map keys must be unique"; the second weight is in the second mix entry (not the first's, line 28)
    expect(issuesOf(() => loadScenario(join(d, 'dup.yaml')))).toEqual([
      expect.objectContaining({ line: 9, col: 1, message: 'duplicate key "seed" (first on line 8): a mapping names each key once' }),
      expect.objectContaining({ line: 36, col: 7, message: 'duplicate key "weight" (first on line 35): a mapping names each key once' }),
    ]);
    // it said "Source contains multiple documents; please use YAML.parseAllDocuments()"
    writeFileSync(join(d, 'two.yaml'), `${text}---\nname: second\n`);
    expect(issuesOf(() => loadScenario(join(d, 'two.yaml')))).toEqual([expect.objectContaining({ line: 42, message: 'a second YAML document starts here (---): a scenario file holds one' })]);
    // it listed five missing fields without a line
    for (const empty of ['', '# nothing yet\n', '{}\n']) {
      writeFileSync(join(d, 'empty.yaml'), empty);
      expect(issuesOf(() => loadScenario(join(d, 'empty.yaml')))).toEqual([expect.objectContaining({ line: 1, message: expect.stringMatching(/^the file holds no fields \(it is empty, or only comments\)/) })]);
    }
  });

  it('a --set path into a list takes an index: -1 or a name would set a property no check sees (the run ignored it)', () => {
    for (const path of ['workload.mix.-1.steps', 'workload.mix.first.steps', 'cluster.nodes.x']) {
      const [i] = issuesOf(() => loadScenario('scenarios/default.yaml', { set: [`${path}=1`] }));
      expect(i!.source).toBe(`--set ${path}=1`);
      expect(i!.message).toMatch(/is a list: the next part of the path must be an index \(0 to \d\)/);
    }
  });

  it('a --set index past the end of a list is blamed on the flag (it left holes reported at the file\'s line)', () => {
    const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['workload.mix.5.weight=1'] }));
    expect(issues).toEqual([expect.objectContaining({ source: '--set workload.mix.5.weight=1', path: 'workload.mix.5.weight', message: 'workload.mix has 2 elements: index 5 is past its end (0 to 1 change one, 2 adds one)', hint: 'e.g. --set workload.mix.2.weight=…' })]);
    // the next index still appends
    expect(loadScenario('scenarios/default.yaml', { set: ['workload.mix.2.weight=1'] }).scenario.workload.mix).toHaveLength(3);
  });

  it('a value of the wrong type or out of range says what was expected and what was given, in a scenario, a request and a baseline', () => {
    const one = (set: string) => issuesOf(() => loadScenario('scenarios/default.yaml', { set: [set] }))[0]!;
    // zod's words were "Invalid input: expected int, received number", "Too small: expected number to be >0"
    expect(one('deployment.replicas=1.5')).toMatchObject({ message: 'expected a whole number, got 1.5', hint: 'e.g. 2' });
    expect(one('deployment.gpus_per_replica=0')).toMatchObject({ message: 'expected a number > 0, got 0' });
    expect(one('cluster.nodes.0.count={a: 1}')).toMatchObject({ message: 'expected a number, got a mapping {"a":1}' });
    expect(one('workload.mix.0.slo_s=[]')).toMatchObject({ message: 'expected a number, got a list []' });
    expect(one('seed=true')).toMatchObject({ message: 'expected a number, got true', hint: 'true and false are not numbers' });
    expect(one('name=5')).toMatchObject({ message: 'expected a string, got 5', hint: 'quote it: "5"' });
    expect(one('workload.mix=[]')).toMatchObject({ message: 'expected at least 1 element, got 0' });
    expect(one('cluster=null').message).toBe('missing required field (expected a mapping (key: value lines))');
    // a schema's own message, which says why, stays
    expect(one('workload.mix.0.weight=1e10').message).toMatch(/^at most 1,000,000,000: weights are relative shares/);
    const request = issuesOf(() => parseRequest(EstimateRequestSchema, { model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm', steps: 2.5 }));
    expect(request).toEqual([expect.objectContaining({ path: 'steps', message: 'expected a whole number, got 2.5' })]);
    const d = dir();
    writeFileSync(join(d, 'b.yaml'), 'name: b\nchecks:\n  - name: x\n    run: {a: 1}\n    expect: {latency_s.p95: 1}\n');
    expect(issuesOf(() => loadBaseline(join(d, 'b.yaml')))).toEqual([expect.objectContaining({ line: 4, path: 'checks.0.run', message: 'expected a string, got a mapping {"a":1}' })]);
  });

  it('YAML .nan and .inf are refused as what they are, not as "received NaN"', () => {
    const issues = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['failures={gpu: {mtbf_h: .nan, mttr_h: .inf}}'] }));
    expect(issues.map((i) => i.message)).toEqual(['expected a finite number, got .nan (not a number)', 'expected a finite number, got an infinity (.inf)']);
  });

  it('a value no shape of a union takes names the field and what it expected, never a bare "Invalid input"', async () => {
    const one = (set: string) => issuesOf(() => loadScenario('scenarios/default.yaml', { set: [set] }))[0]!;
    expect(one('duration=1e309')).toMatchObject({ source: '--set duration=1e309', path: 'duration', message: 'expected a finite number, got an infinity (.inf)' });
    expect(one('duration=0').message).toMatch(/^expected a positive finite duration/); // a zero-length run simulated nothing
    expect(one('workload.curve=nope')).toMatchObject({ path: 'workload.curve', message: 'expected one of "flat", "diurnal", "office-hours", got "nope"' });
    // blamed on the --set, at the field (it pointed at the deployment: line of the file)
    expect(one('deployment.replicas=2.5')).toMatchObject({ source: '--set deployment.replicas=2.5', path: 'deployment.replicas' });
    expect(one('workload.arrivals.process=nope').message).toBe('expected a "process" of "poisson", "gamma", "trace"');
    // validate makes the checks run makes before its first event: a rate the cluster can never serve passed it
    const { vgsimInProcess } = await import('./support/cli.ts');
    const v = await vgsimInProcess(['validate', 'scenarios/default.yaml', '--set', 'workload.arrivals.rate_per_hour=1e12']);
    expect([v.code, v.stdout]).toEqual([2, expect.stringMatching(/FAIL {2}scenarios\/default\.yaml\n.*rate_per_hour: the offered load/)]);
    // an unknown inter-node link passed validate and failed the run without a location
    expect(one('cluster.fabric.link=roce400')).toMatchObject({ source: '--set cluster.fabric.link=roce400', path: 'cluster.fabric.link', message: 'unknown link "roce400"', hint: expect.stringMatching(/did you mean "roce-400"/) });
  });

  it('conflicting or mistyped request flags are refused, not resolved silently (found by a CLI fuzz, 2026-12-07)', async () => {
    const { parsePlan } = await import('../src/parallel/plan.ts');
    const { intFlag } = await import('../src/cli/usage-error.ts');
    const { parseOfficialFlags } = await import('../src/parallel/official-flags.ts');
    const { estimate } = await import('../src/perf/estimate.ts');
    const { getModel } = await import('../src/workload/request.ts');
    const { vgsimInProcess } = await import('./support/cli.ts');
    // ulysses=2,ulysses=4 took the last
    expect(issuesOf(() => parsePlan('ulysses=2,ulysses=4'))[0]!.message).toBe('"ulysses=4": ulysses is given twice (also "ulysses=2")');
    // 0x51 ran as 81 frames
    expect(() => intFlag('--frames', '0x51')).toThrow(/--frames expects an integer >= 1, got "0x51"/);
    expect(intFlag('--frames', ' 81 ')).toBe(81);
    // an empty launch line ran the script's defaults
    expect(issuesOf(() => parseOfficialFlags(''))[0]!.message).toBe('expected a launch line, got an empty one');
    // 100 GPUs per node on an 8-GPU node were clamped to 8
    const i = issuesOf(() => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', gpus: 12, plan: parsePlan('ulysses=12'), fabric: { gpusPerNode: 100 } }))[0]!;
    expect(i).toMatchObject({ path: 'gpus_per_node', hint: 'give at most 8, or spread the replica over more nodes (--nodes 2)' });
    // a text-to-video model given an image, quantised layer groups with nothing quantised
    expect(issuesOf(() => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', request: { image: true } }))[0]!.message).toBe('Wan2.1-T2V-1.3B is a text-to-video model: it takes no image');
    expect(issuesOf(() => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', options: { dtypeLayers: ['ffn'] } }))[0]!.path).toBe('dtype_layers');
    // flags past the bounds a scenario's same fields have
    for (const [args, re] of [
      [['--host-dispatch-us', '1e6'], /--host-dispatch-us expects a number <= 1,000/],
      [['--batch', '1000000'], /--batch expects an integer <= 1,024/],
      [['--oversubscription', '1e9'], /--oversubscription expects a number <= 100/],
    ] as const) {
      const r = await vgsimInProcess(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', ...args]);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(re)]);
    }
    // a bad --slo names --slo, not the --set it becomes
    const slo = await vgsimInProcess(['sweep', 'scenarios/sweeps/load-and-replicas.yaml', '--slo', 'p95<=abc']);
    expect([slo.code, slo.stderr]).toEqual([2, expect.stringMatching(/^error: --slo: "p95<=abc"/)]);
    // a companion flag that the command then ignored
    const shards = await vgsimInProcess(['sweep', 'scenarios/sweeps/load-and-replicas.yaml', '--shard', '0/2', '--shards', '3']);
    expect([shards.code, shards.stderr]).toEqual([2, expect.stringMatching(/--shard 0\/2 already says how many shards there are/)]);
    const start = await vgsimInProcess(['run', 'scenarios/default.yaml', '--metrics-start', '2024-01-01']);
    expect([start.code, start.stderr]).toEqual([2, expect.stringMatching(/--metrics-start dates metrics\.openmetrics\.txt, which this run does not write: add --out/)]);
    // a profile with an empty section failed inside the cost model with exit 1
    const { GpuProfile } = await import('../src/perf/profile.ts');
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-prof-'));
    const full = JSON.parse((await import('node:fs')).readFileSync('calibration/profiles/h100-sxm.json', 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ ...full, gemm: [] }));
    expect(issuesOf(() => GpuProfile.loadForPricing(join(dir, 'p.json')))[0]!.message).toBe('the profile has no measured rows (positive time and rate) in gemm (bf16 rows)');
    expect(GpuProfile.loadForPricing('calibration/profiles/h100-sxm.json').data.gemm.length).toBeGreaterThan(0);
    // keep_on_gpu against a plan that puts the same component on the host
    expect(issuesOf(() => estimate({ model: getModel('wan2.1-t2v-1.3b'), gpu: 'h100-sxm', plan: parsePlan('t5=cpu'), options: { keepOnGpu: ['text_encoder'] } }))[0]!.message).toMatch(/^keep_on_gpu text_encoder with the text encoder on the CPU/);
    expect(issuesOf(() => estimate({ model: getModel('wan2.1-t2v-14b'), gpu: 'h100-sxm', plan: parsePlan('offload'), options: { keepOnGpu: ['dit'] } }))[0]!.path).toBe('keep_on_gpu');
    // a 1e30 budget printed a fleet of 3e24 nodes
    const tco = await vgsimInProcess(['tco', '--model', 'wan2.1-t2v-1.3b', '--budget', '1e30']);
    expect([tco.code, tco.stderr]).toEqual([2, expect.stringMatching(/--budget expects at most 1e\+11 USD/)]);
    // the JSON inputs a scenario names are read as every input file is (a folder, FIFO or device is refused, not read)
    const { resolveOverheads } = await import('../src/serving/overheads.ts');
    const { readStageProfile } = await import('../src/serving/stage-profile.ts');
    const { modelFromDiffusersConfig } = await import('../src/workload/custom-models.ts');
    expect(issuesOf(() => resolveOverheads('/tmp', undefined, { source: 's.yaml' }))[0]!.message).toBe('/tmp: it is a directory, expected a JSON file');
    expect(issuesOf(() => readStageProfile('/dev/zero', { source: 's.yaml' }, 'deployment.stage_times'))[0]!.message).toMatch(/^\/dev\/zero: it is not a regular file/);
    expect(issuesOf(() => modelFromDiffusersConfig('/dev/null'))[0]!.message).toMatch(/not a regular file/);
    // number flags are decimal, as integer flags and trace cells (0x2 was read as 2)
    const hex = await vgsimInProcess(['tco', '--model', 'wan2.1-t2v-1.3b', '--budget', '1e6', '--pue', '0x2']);
    expect([hex.code, hex.stderr]).toEqual([2, expect.stringMatching(/--pue expects a number, got "0x2"/)]);
    // a flag that sets a cost field is bounded as the field, and named as the flag (it said --set cost.…)
    const net = await vgsimInProcess(['tco', '--model', 'wan2.1-t2v-1.3b', '--budget', '1e6', '--networking-usd-per-gpu', '1e12']);
    expect([net.code, net.stderr]).toEqual([2, expect.stringMatching(/^error: --networking-usd-per-gpu expects a number <= 1,000,000, got 1e12 \(as cost\.networking_usd_per_gpu/)]);
    // a price keyed by an unknown node type, or by an alias, priced nothing without a word
    const { loadCostInput } = await import('../src/scenario/cost-input.ts');
    expect(issuesOf(() => loadCostInput({ set: ['cost.server_price_usd.nope=1'] }))[0]).toMatchObject({ path: 'cost.server_price_usd.nope', message: expect.stringMatching(/^unknown node type "nope"/) });
    expect(issuesOf(() => loadCostInput({ set: ['cost.server_price_usd.dgx-b200=450000'] }))[0]!.message).toBe('write the catalog id "dgx-b200-8" for "dgx-b200" (prices are looked up by id)');
    expect(issuesOf(() => loadCostInput({ set: ['cost.gpu_price_usd.h100=30000'] }))[0]!.message).toMatch(/write the catalog id "h100-sxm"|unknown GPU/);
    expect(loadCostInput({ set: ['cost.server_price_usd.dgx-b200-8=450000'] }).server_price_usd).toEqual({ 'dgx-b200-8': 450000 });
    // --scenarios that is not a folder
    const serve = await vgsimInProcess(['serve', '--scenarios', '/nonexistent-vgsim-folder', '--port', '0']);
    expect([serve.code, serve.stderr]).toEqual([2, expect.stringMatching(/--scenarios expects a folder/)]);
  });

  it('the command line names the flag of a bad value (estimate\'s request checks, unknown catalog ids)', () => {
    const vgsim = (args: string[]) => {
      try {
        execFileSync(process.execPath, ['bin/vgsim.js', ...args], { encoding: 'utf8', stdio: 'pipe' });
        return '';
      } catch (e) {
        return (e as { status: number; stderr: string }).status + ' ' + (e as { stderr: string }).stderr;
      }
    };
    expect(vgsim(['estimate', '--model', 'wan2.2-t2v-a14b', '--gpu', 'h100-sxm', '--resolution', '0x0'])).toMatch(/^2 error: invalid input \(1 problem\)\n--resolution {2}resolution: /);
    expect(vgsim(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu=h900'])).toMatch(/^2 error: --gpu: unknown gpu "h900"; did you mean/);
    expect(vgsim(['plan', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'h100-sxm', '--gpus', '1e300'])).toMatch(/^2 error: --gpus expects an integer <= 200,000, got "1e300"/);
    // --node and --gpu that disagree: refused at --node as estimate refuses them (plan answered "no recommendation:
    // none of 8 layouts can run", as if the budget were infeasible)
    expect(vgsim(['plan', '--model', 'wan2.1-t2v-1.3b', '--node', 'hgx-h100-sxm-8', '--gpu', 'a100-80gb', '--gpus', '8'])).toBe('2 error: invalid input (1 problem)\n--node  node: node type hgx-h100-sxm-8 carries h100-sxm, not a100-sxm-80g (leave the GPU out (the node type says which it carries), or give a node type that carries a100-sxm-80g: hgx-a100-8)\n');
    expect(vgsim(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'a100-sxm-80g', '--dtype', 'fp8'])).toMatch(/^2 error: invalid input \(1 problem\)\n--dtype {2}dtype: NVIDIA A100 SXM4 80GB has no fp8 tensor cores/);
    // an attention kernel the GPU has none of: exit 2 at --attention, with the kernels that do run there (was exit 1)
    expect(vgsim(['estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'a100-sxm-80g', '--attention', 'fa3'])).toMatch(/^2 error: invalid input \(1 problem\)\n--attention {2}attention: attention kernel fa3 is not available on NVIDIA A100 SXM4 80GB: FlashAttention-3 runs on Hopper GPUs only .*\(kernels that run on it: fa2, cudnn, efficient, sage1, sage2 \(or auto\)\)/);
  });

  it('a near-miss choice gets a did-you-mean (flags, --slo metrics, --warmup, sparse and cache specs), at the flag that set it', async () => {
    const { choiceFlag } = await import('../src/cli/usage-error.ts');
    const { parseSlo } = await import('../src/studies/objectives.ts');
    const { parseWarmup } = await import('../src/calibration/warmup.ts');
    const { parseSparse } = await import('../src/engines/sparse-attention.ts');
    const { parseCache } = await import('../src/engines/step-cache.ts');
    const { accelerationFlagSource } = await import('../src/cli/acceleration-flags.ts');
    expect(() => choiceFlag('--rank', 'latncy', ['latency', 'throughput', 'headroom'])).toThrow('--rank expects one of latency, throughput, headroom, got "latncy"; did you mean "latency"?');
    expect(choiceFlag('--rank', 'latency', ['latency', 'throughput', 'headroom'])).toBe('latency');
    expect(() => parseSlo('p59<=45m')).toThrow(/unknown metric "p59" .*\(did you mean "p50"/);
    expect(issuesOf(() => parseWarmup('msre'))[0]!.message).toBe('\'msre\' is not a warm-up (did you mean "mser"?)');
    expect(issuesOf(() => parseSparse('radial,decy=0.2', 'inference.sparse'))[0]!.message).toBe('unknown radial setting "decy" (did you mean "decay"?)');
    // a negative number is a number: it read '"decay=-1" is not key=number'
    expect(issuesOf(() => parseSparse('radial,decay=-1'))[0]!.message).toBe('"decay=-1": decay cannot be negative');
    expect(issuesOf(() => parseCache('teachache:0.2', 'inference.cache'))[0]!.hint).toMatch(/^did you mean "teacache"\?/);
    // on the command line the spec's field is the flag (it read "inference.sparse" for estimate, "--cache.sparse" for plan)
    expect(['inference.sparse', 'inference.cache', 'inference.lora', 'inference.attention', 'x.yaml'].map(accelerationFlagSource)).toEqual(['--sparse', '--cache', '--lora', 'inference.attention', 'x.yaml']);
  });

  it('a scenario whose attention kernel the pool\'s GPU lacks points at inference.attention, file:line', () => {
    const issues = issuesOf(() => startSimulation(loadScenario('scenarios/default.yaml', { set: ['inference.attention=fa3', 'cluster.nodes.0.type=hgx-a100-8'] }).scenario));
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) {
      expect(i.path).toBe('inference.attention');
      expect(i.message).toMatch(/attention kernel fa3 is not available on NVIDIA A100 SXM4 80GB/);
    }
    // fp8 on a GPU without fp8 tensor cores: found when the scenario is loaded (validate), once per pool, at its line
    const fp8 = issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['inference.dtype=fp8', 'cluster.nodes.0.type=hgx-a100-8'] }));
    expect(fp8.map((i) => [i.path, i.source])).toEqual([['inference.dtype', '--set inference.dtype=fp8']]);
    expect(fp8[0]!.message).toMatch(/has no fp8 tensor cores/);
  });

  it('an int8 (or fp8) dtype on a GPU with no rate for it is an input error at the dtype field, naming the dtypes that run (was exit 1)', () => {
    const on = (...set: string[]) => issuesOf(() => loadScenario('scenarios/default.yaml', { set: ['model=wan2.1-t2v-1.3b', 'inference.offload=false', 'inference.engine=lightx2v', 'cluster.nodes.0.type=mi300x-8', ...set] }));
    const int8 = on('inference.dtype=int8');
    expect(int8.map((i) => [i.path, i.source])).toEqual([['inference.dtype', '--set inference.dtype=int8']]);
    expect(int8[0]!.message).toMatch(/AMD Instinct MI300X 192GB has no INT8 tensor-core rate in vgsim \(node type mi300x-8\)/);
    expect(int8[0]!.hint).toMatch(/dtypes it runs: bf16, fp8; int8 needs an NVIDIA Ampere, Ada, Hopper or Blackwell GPU/);
    const encoder = on('inference.text_encoder_dtype=fp8', 'cluster.nodes.0.type=ascend-910b-8');
    expect(encoder[0]).toMatchObject({ path: 'inference.text_encoder_dtype', source: '--set inference.text_encoder_dtype=fp8' });
    // a pool's own dtype is located at the pool; the run's own check (per class) stays as a safety net
    expect(on('deployment.inference={dtype: int8}')[0]).toMatchObject({ path: 'deployment.inference.dtype' });
    const loaded = loadScenario('scenarios/default.yaml', { set: ['model=wan2.1-t2v-1.3b', 'inference.offload=false', 'inference.engine=lightx2v', 'cluster.nodes.0.type=mi300x-8'] });
    expect(issuesOf(() => startSimulation({ ...loaded.scenario, inference: { ...loaded.scenario.inference, dtype: 'int8' } }))[0]!.path).toBe('inference.dtype');
    expect(encoder[0]!.hint).toMatch(/dtypes it runs: bf16;/);
    const vgsim = spawnSync(process.execPath, ['bin/vgsim.js', 'estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'ascend-910b', '--dtype', 'int8', '--engine', 'xdit'], { encoding: 'utf8' });
    expect(vgsim.status).toBe(2);
    expect(vgsim.stderr).toMatch(/--dtype {2}dtype: Huawei Ascend 910B 64GB has no INT8 tensor-core rate/);
  });

  it('a GPU no node type carries is an input error at --gpu with a hint that can be followed, and list gpus says so (was exit 1, "pass --node")', () => {
    const issues = issuesOf(() => runEstimate(parseRequest(EstimateRequestSchema, { model: 'wan2.1-t2v-1.3b', gpu: 'gb200' })));
    expect(issues[0]).toMatchObject({ path: 'gpu' });
    expect(issues[0]!.message).toMatch(/no node type in the catalog carries NVIDIA GB200/);
    expect(issues[0]!.hint).toMatch(/^pick a GPU that a node type carries \(vgsim list nodes\): h100-sxm, /);
    expect(issues[0]!.hint).not.toMatch(/gb200|--node/);
    const vgsim = spawnSync(process.execPath, ['bin/vgsim.js', 'estimate', '--model', 'wan2.1-t2v-1.3b', '--gpu', 'ascend-910c'], { encoding: 'utf8' });
    expect(vgsim.status).toBe(2);
    expect(vgsim.stderr).toMatch(/--gpu {2}gpu: no node type in the catalog carries Huawei Ascend 910C/);
    const gpus = listing('gpus');
    const row = (id: string) => gpus.rows.find((r) => r[0] === id)!;
    const col = gpus.headers.indexOf('node types');
    expect(row('gb200')[col]).toBe('none (no estimate, plan or run)');
    expect(row('h100-sxm')[col]).toBe('hgx-h100-sxm-8');
  });
});
