/**
 * Prometheus' own tools accept the export: `promtool check metrics` lints the Prometheus text rendering of the
 * same families (it reads that format only), and `promtool tsdb create-blocks-from openmetrics` backfills the
 * OpenMetrics file a run writes; a Prometheus server started on those blocks (loopback, no scraping) answers
 * every query of the committed Grafana dashboard (examples/grafana/vgsim-dashboard.json) with data. Debian's
 * `prometheus` package ships both binaries; .ci/run installs it and sets VGSIM_REQUIRE_PROMTOOL=1. Locally
 * the test is skipped, with a message, when promtool is not on PATH.
 */
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

  it('a Prometheus server on the backfilled default run answers every query of the Grafana dashboard', async () => {
    const l = loadScenario('scenarios/default.yaml', { set: ['duration=2h'] });
    const r = simulate(l.scenario, { monitoring: true });
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-prom-'));
    const om = join(dir, 'metrics.openmetrics.txt');
    writeFileSync(om, metricsText(r));
    const tsdb = join(dir, 'tsdb');
    expect(spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, tsdb], { encoding: 'utf8' }).status).toBe(0);
    writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
    const port = await new Promise<number>((res) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => res(p));
      });
    });
    const server = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${tsdb}`, '--storage.tsdb.retention.time=100y', `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; ; i++) {
        const ready = await fetch(`${base}/-/ready`).then((x) => x.ok, () => false);
        if (ready) break;
        if (i > 100) throw new Error('prometheus did not become ready in 20 s');
        await new Promise((res) => setTimeout(res, 200));
      }
      const dash = JSON.parse(readFileSync('examples/grafana/vgsim-dashboard.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
      const start = 1735689600; // the export's default t = 0
      const end = start + r.sim_time_s;
      const empty: string[] = [];
      let queries = 0;
      for (const p of dash.panels) {
        for (const t of p.targets) {
          // the fan power exists only with modelled cooling
          if (t.expr.includes('vgsim_node_fan_power_watts')) continue;
          const q = t.expr.replaceAll('$scenario', '.*').replaceAll('$window', '30m');
          const res = (await fetch(`${base}/api/v1/query_range?${new URLSearchParams({ query: q, start: String(start), end: String(end), step: '300' })}`).then((x) => x.json())) as { status: string; data: { result: unknown[] } };
          expect(res.status, q).toBe('success');
          queries++;
          if (res.data.result.length === 0) empty.push(`${p.title}: ${q}`);
        }
      }
      expect(empty).toEqual([]);
      expect(queries).toBeGreaterThanOrEqual(10);
    } finally {
      server.kill();
    }
  }, 90_000);
});
