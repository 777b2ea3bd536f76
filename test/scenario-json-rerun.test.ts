/**
 * `--out`'s scenario.json is "the scenario as run" (README): run again, it must give the same run. It did not: the
 * parsed resolutions were written as {width, height} objects ("expected string, received object" on every library
 * scenario), an upscale target as an object with its label, and a trace, stage_times or serving_overheads path
 * stayed relative to the scenario's folder, not to the folder scenario.json is in.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vgsim } from './support/cli.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { validateScenario } from '../src/index.ts';
import { simulate } from '../src/serving/simulate.ts';
import { writeRunOutput } from '../src/report/output.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'vgsim-scenario-json-'));

describe('scenario.json runs again', () => {
  it('every library scenario: the scenario.json --out writes validates', () => {
    for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml'))) {
      const { scenario } = loadScenario(`scenarios/${f}`, { set: ['duration=60'] });
      const dir = tmp();
      writeRunOutput(dir, simulate(scenario), scenario, {}, 'scenarios');
      expect(validateScenario(join(dir, 'scenario.json')).map((i) => `${i.path}: ${i.message}`), f).toEqual([]);
    }
  }, 120_000);

  it('vgsim run out/scenario.json gives the summary of the run that wrote it (relative stage_times and serving_overheads included)', () => {
    for (const file of ['scenarios/default.yaml', 'calibration/serving/scenarios/h100x1-1.3b-measured.yaml']) {
      const a = tmp();
      const first = vgsim(['run', file, '--set', 'duration=30m', '--out', a, '--no-report', '--no-openmetrics']);
      expect(first.code, first.stderr).toBe(0);
      const b = tmp();
      const again = vgsim(['run', join(a, 'scenario.json'), '--out', b, '--no-report', '--no-openmetrics']);
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(join(b, 'summary.json'), 'utf8')).toBe(readFileSync(join(a, 'summary.json'), 'utf8'));
      expect(readFileSync(join(b, 'scenario.json'), 'utf8')).toBe(readFileSync(join(a, 'scenario.json'), 'utf8'));
    }
  }, 120_000);
});

describe('--out never overwrites the scenario it runs', () => {
  it('vgsim run out/scenario.json --set … --out out is refused (exit 2), the file left as it was', () => {
    const a = tmp();
    expect(vgsim(['run', 'scenarios/default.yaml', '--set', 'duration=30m', '--out', a, '--no-report', '--no-openmetrics']).code).toBe(0);
    const before = readFileSync(join(a, 'scenario.json'), 'utf8');
    const again = vgsim(['run', join(a, 'scenario.json'), '--set', 'duration=1h', '--out', a, '--no-report', '--no-openmetrics']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--out .*scenario\.json is the scenario .*which this command reads: writing it would overwrite it; give another --out/);
    expect(readFileSync(join(a, 'scenario.json'), 'utf8')).toBe(before);
  }, 60_000);
});
