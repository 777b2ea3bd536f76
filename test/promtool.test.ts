/**
 * Prometheus' own tools accept the export: `promtool check metrics` lints the Prometheus text rendering of the
 * same families (it reads that format only), and `promtool tsdb create-blocks-from openmetrics` backfills the
 * OpenMetrics file a run writes. Debian's `prometheus` package ships promtool; .ci/run installs it and sets
 * VGSIM_REQUIRE_PROMTOOL=1. Locally the test is skipped, with a message, when promtool is not on PATH.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { metricsText } from '../src/report/openmetrics.ts';

const required = process.env.VGSIM_REQUIRE_PROMTOOL === '1';
const available = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
if (!available && !required) console.warn('promtool.test.ts: skipped, promtool not found (apt-get install -y prometheus; CI requires it)');

describe.skipIf(!available && !required)('promtool accepts the export', () => {
  it('is installed where it is required', () => {
    if (!available) throw new Error('promtool is missing: this test is required here (VGSIM_REQUIRE_PROMTOOL=1); apt-get install -y prometheus');
  });

  for (const [name, file, set] of [
    ['the default scenario', 'scenarios/default.yaml', ['duration=1h']],
    ['the cooling scenario (throttling, fans)', 'scenarios/cooling.yaml', ['duration=1h', 'cluster.cooling.inlet_c=45']],
  ] as const) {
    it(`${name}: check metrics passes and the OpenMetrics file backfills into TSDB blocks`, () => {
      const l = loadScenario(file, { set: [...set] });
      const r = simulate(l.scenario, { monitoring: true });
      const dir = mkdtempSync(join(tmpdir(), 'vgsim-promtool-'));
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: metricsText(r, { dialect: 'prometheus' }), encoding: 'utf8' });
      expect(lint.stdout + lint.stderr).toBe('');
      expect(lint.status).toBe(0);
      const om = join(dir, 'metrics.openmetrics.txt');
      writeFileSync(om, metricsText(r));
      const blocks = join(dir, 'blocks');
      const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, blocks], { encoding: 'utf8' });
      expect(made.stderr).toBe('');
      expect(made.status).toBe(0);
      const ulids = readdirSync(blocks).filter((d) => /^[0-9A-Z]{26}$/.test(d));
      expect(ulids.length).toBeGreaterThan(0);
      // every block holds samples: the summary line promtool prints per block
      expect(made.stdout).toMatch(/NUM SAMPLES/);
    }, 60_000);
  }
});
