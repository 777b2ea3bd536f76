/**
 * `vgsim size` and `vgsim tco`: the chosen node count is minimal (checked by direct simulations), options are
 * ranked by cost, skipped options say why, the Pareto set is right, iso-cost counts match a hand calculation
 * from the catalog prices, and the CLI's exit codes.
 */
import { describe, it, expect } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { parseSlo } from '../src/studies/capacity.ts';
import { sizeCluster, evaluateRun, paretoFront, type SizeResult } from '../src/studies/size.ts';
import { sizedScenario, layoutCandidates } from '../src/studies/size-layouts.ts';
import { isoCompare } from '../src/studies/fleet.ts';
import { parseMoney, parseRate } from '../src/units.ts';
import { placeLabels } from '../src/report/charts/size.ts';
import { getModel } from '../src/workload/request.ts';
import { getNode } from '../src/hardware/catalog.ts';
import { FABRIC_PORT_PRICE, SERVER_PRICES } from '../src/hardware/index.ts';
import { vgsim, vgsimInProcess } from './support/cli.ts';
import { evidenceLineOf } from '../src/perf/gpu-evidence.ts';
import { unsettledReason } from '../src/serving/load-bound.ts';

// wan2.1-t2v-1.3b at 480p (~80 s a video on one H100): 600 videos/h need about two 8-GPU nodes
const SETS = ['duration=1800', 'seed=3', 'workload.arrivals.rate_per_hour=600', 'workload.mix[0].steps=50'];
const terms = parseSlo('p95<=4m');

let cached: { res: SizeResult; scenario: ReturnType<typeof loadScenario>['scenario'] } | undefined;
function sized() {
  if (!cached) {
    const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: SETS });
    const res = sizeCluster(scenario, { terms, nodes: ['hgx-h100-sxm-8', 'hgx-h200-8', 'hgx-h800-8'], layouts: 1, maxNodes: 8 });
    cached = { res, scenario };
  }
  return cached;
}

describe('vgsim size: sizing', () => {
  it('picks the smallest passing node count: n passes and n - 1 fails, both re-simulated directly', () => {
    const { res, scenario } = sized();
    const ok = res.rows.filter((r) => r.status === 'ok');
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(ok.some((r) => r.nodes! > 1)).toBe(true);
    for (const r of ok) {
      expect(r.minimal).toBe(true);
      // each trial runs for the sized horizon (the scenario duration, repeated to reach the sample-size rule)
      // each trial runs for the sized horizon, or longer where its queue needed that to settle (trial.duration_s)
      const dur = (n: number) => r.trials.find((t) => t.nodes === n)!.duration_s;
      const chosen = simulate({ ...sizedScenario(scenario, r, r.nodes!), duration: dur(r.nodes!) }, { rateScale: res.rate_scale });
      expect(unsettledReason(chosen.load), `${r.label} at ${r.nodes} nodes`).toBeNull();
      const pass = evaluateRun(chosen, terms);
      expect(pass.pass, `${r.label} at ${r.nodes} nodes`).toBe(true);
      expect(pass.values['p95<=4m']).toBeCloseTo(r.latency_s!.p95, 6);
      if (r.nodes! > 1) {
        const run = simulate({ ...sizedScenario(scenario, r, r.nodes! - 1), duration: dur(r.nodes! - 1) }, { rateScale: res.rate_scale });
        // fails its objectives, or passes only before its queue has settled
        expect(evaluateRun(run, terms).pass && unsettledReason(run.load) === null, `${r.label} at ${r.nodes! - 1} nodes`).toBe(false);
      }
      expect(r.replicas).toBe(r.nodes! * r.replicas_per_node);
      expect(r.gpus).toBe(r.replicas! * r.gpus_per_replica);
    }
  });

  it('ranks options by $/month, marks the Pareto set, and prices with the run cost', () => {
    const { res } = sized();
    const ranked = res.rows.filter((r) => r.rank !== null);
    expect(ranked.map((r) => r.rank)).toEqual(ranked.map((_, i) => i + 1));
    for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.usd_per_month!).toBeGreaterThanOrEqual(ranked[i - 1]!.usd_per_month!);
    // the cheapest option is always Pareto-optimal; every Pareto flag agrees with paretoFront
    expect(ranked[0]!.pareto).toBe(true);
    expect(ranked.map((r) => r.pareto)).toEqual(paretoFront(ranked.map((r) => ({ x: r.latency_s!.p95, y: r.usd_per_month! }))));
    for (const r of ranked) {
      expect(r.usd_per_video).toBeGreaterThan(0);
      expect(r.kwh_per_video).toBeGreaterThan(0);
      expect(r.utilization).toBeGreaterThan(0);
    }
    expect(res.rate_per_h).toBe(600);
    expect(res.simulations).toBe(res.rows.reduce((a, r) => a + r.trials.length, 0));
  });

  it('skips node types without a price or that cannot run the model, with the reason', () => {
    const { res } = sized();
    const h800 = res.skipped.find((s) => s.node === 'hgx-h800-8');
    expect(h800?.reason).toMatch(/no price for node type "hgx-h800-8"/);
    expect(res.rows.some((r) => r.node === 'hgx-h800-8')).toBe(false);
    // an A14B does not fit one 24 GB card
    const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: ['model=wan2.2-t2v-a14b', 'workload.mix[0].resolution=1280x720'] });
    const c = layoutCandidates(scenario, 'rtx4090-1');
    expect(c.candidates).toEqual([]);
    expect(c.skipped[0]!.reason).toMatch(/cannot run wan2.2-t2v-a14b.*OOM/);
  });

  it('a latency objective below the service time rules every layout out; the simulation bound is reported', () => {
    const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: SETS });
    const tight = sizeCluster(scenario, { terms: parseSlo('p95<=5s'), nodes: ['hgx-h100-sxm-8'], layouts: 1 });
    expect(tight.rows).toEqual([]);
    expect(tight.simulations).toBe(0);
    expect(tight.skipped[0]!.reason).toMatch(/service time alone is .* > 5\.00 s \(p95<=5s\)/);
    const bounded = sizeCluster(scenario, { terms, nodes: ['hgx-h100-sxm-8'], layouts: 1, maxSims: 1 });
    expect(bounded.simulations).toBe(1);
    expect(bounded.bound_hit).toBe(true);
    expect(bounded.notes.join(' ')).toMatch(/simulation bound \(1\)/);
    expect(bounded.rows.every((r) => r.status === 'stopped' && !r.minimal)).toBe(true);
  });

  it('a disaggregated scenario is sized as one pool serving whole requests (the first pool ran only encode: every request was dropped)', () => {
    const { scenario } = loadScenario('test/fixtures/disaggregated.yaml', { set: ['duration=2h'] });
    const layout = { node: 'hgx-h100-sxm-8', parallel: 'ulysses=4,fsdp', gpus_per_replica: 4, replicas_per_node: 2 };
    const one = sizedScenario(scenario, layout, 1);
    expect(one.deployment).toMatchObject({ name: 't5', node: 'hgx-h100-sxm-8', replicas: 2, stages: ['encode', 'denoise', 'decode'] });
    const r = simulate(one);
    expect(r.requests.completed).toBeGreaterThan(0);
    expect(r.requests.dropped + r.requests.failed).toBe(0);
  });
});

describe('helpers', () => {
  it('paretoFront: lower-left points on a constructed set', () => {
    const pts = [
      { x: 10, y: 100 }, // optimal (fastest)
      { x: 20, y: 50 }, // optimal
      { x: 25, y: 60 }, // dominated by (20, 50)
      { x: 40, y: 30 }, // optimal (cheapest)
      { x: 40, y: 30 }, // a duplicate is not strictly dominated
      { x: 10, y: 120 }, // dominated by (10, 100): equal x, higher y
      { x: 50, y: 30 }, // dominated by (40, 30)
      { x: Infinity, y: 1 }, // not finite: never optimal
    ];
    expect(paretoFront(pts)).toEqual([true, true, false, true, true, false, false, false]);
    expect(paretoFront([])).toEqual([]);
  });

  it('parses rates and money', () => {
    expect(parseRate('120/h')).toBe(120);
    expect(parseRate('2/min')).toBe(120);
    expect(parseRate('0.5/s')).toBe(1800);
    expect(parseRate('48/day')).toBe(2);
    expect(parseRate('30')).toBe(30);
    expect(parseRate('fast')).toBeUndefined();
    expect(parseRate('-3/h')).toBeUndefined();
    expect(parseMoney('10e6')).toBe(10e6);
    expect(parseMoney('$2.5M')).toBe(2.5e6);
    expect(parseMoney('500k')).toBe(5e5);
    expect(parseMoney('1,000,000')).toBe(1e6);
    expect(parseMoney('lots')).toBeUndefined();
  });

  it('placeLabels keeps labels apart and inside the plot', () => {
    const spots = placeLabels([{ px: 100, py: 100, text: 'aaaaaaaa' }, { px: 102, py: 100, text: 'bbbbbbbb' }, { px: 104, py: 101, text: 'cccccccc' }], 400, 200);
    const boxes = spots.map((s) => ({ x: s!.px, y: s!.py - 6.5, w: 8 * 6.3, h: 13 }));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).toBe(false);
      }
      expect(boxes[i]!.x).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('vgsim tco: iso-cost / iso-power', () => {
  it('iso-cost counts match budget / whole-system node price from the catalog; unpriced nodes are named', () => {
    const res = isoCompare({ model: getModel('wan2.1-t2v-1.3b'), request: { width: 832, height: 480 }, budgetUsd: 10e6, megawatts: 1, nodes: ['hgx-h100-sxm-8', 'hgx-h200-8', 'hgx-h800-8'] });
    const port = FABRIC_PORT_PRICE.usd;
    expect(port).toBe(5000);
    const h100 = res.rows.find((r) => r.basis === 'budget' && r.node === 'hgx-h100-sxm-8')!;
    // whole-server quote $270,000 (catalog) + 8 NIC ports x $5,000: floor(10e6 / 310,000) = 32
    expect(SERVER_PRICES['hgx-h100-sxm-8']!.usd).toBe(270000);
    expect(h100.nodes).toBe(Math.floor(10e6 / (270000 + 8 * port)));
    expect(h100.nodes).toBe(32);
    expect(h100.gpus).toBe(256);
    expect(h100.fleet_capex_usd).toBe(32 * 310000);
    expect(h100.price_basis).toBe('whole-server');
    // H200: no whole-server quote, built up: 8 x $35,000 + $30,000 host + 8 x $5,000 = $350,000 -> floor(28.57) = 28
    const h200 = res.rows.find((r) => r.basis === 'budget' && r.node === 'hgx-h200-8')!;
    expect(h200.nodes).toBe(28);
    expect(h200.node_price_usd).toBe(350_000);
    expect(h200.price_basis).toBe('built-up');
    // throughput: the best layout's per-GPU rate times the fleet's GPUs
    expect(h100.fleet_videos_per_h).toBeCloseTo(h100.throughput_per_gpu_h! * h100.gpus, 6);
    expect(h100.usd_per_video).toBeGreaterThan(0);
    // H800 has no price: skipped for the budget with the reason, still counted for the megawatt
    expect(res.rows.some((r) => r.basis === 'budget' && r.node === 'hgx-h800-8')).toBe(false);
    expect(res.skipped.find((s) => s.node === 'hgx-h800-8')?.reason).toMatch(/iso-cost: no price for node type "hgx-h800-8".*cost\.gpu_price_usd\.h800/);
    const h800mw = res.rows.find((r) => r.basis === 'power' && r.node === 'hgx-h800-8')!;
    expect(h800mw.nodes).toBeGreaterThan(0);
    expect(h800mw.fleet_capex_usd).toBeNull();
    expect(h800mw.note).toMatch(/no price/);
    // iso-power: floor(1 MW / (node peak power x PUE 1.2)); the H800 has no nameplate, so every row is counted at
    // the estimate (2,880 W non-GPU busy + 8 x 700 W = 8,480 W), the H100 too: the same silicon, the same count
    const h100mw = res.rows.find((r) => r.basis === 'power' && r.node === 'hgx-h100-sxm-8')!;
    const est = getNode('hgx-h100-sxm-8').nonGpuPowerW.busy + 8 * 700;
    expect(est).toBe(8480);
    expect(h100mw.nodes).toBe(Math.floor(1e6 / (est * 1.2)));
    expect(h100mw.nodes).toBe(h800mw.nodes);
    expect(res.power_basis.basis).toBe('estimate');
    expect(res.rows.every((r) => r.power_basis === 'estimate')).toBe(true);
  });
});

describe('CLI', () => {
  const inProcess = vgsimInProcess;

  it('bad --slo exits 2 (child process, as a user runs it)', () => {
    const badSlo = vgsim(['size', 'test/fixtures/md1.yaml', '--slo', 'p95=4m']);
    expect(badSlo.code).toBe(2);
    expect(badSlo.stderr).toMatch(/--slo: cannot read objective/);
  });

  it('size --json prints the ranked options and the skipped node types', async () => {
    const ok = await inProcess(['size', 'test/fixtures/md1.yaml', '--slo', 'p95<=4m', '--rate', '600/h', '--nodes', 'hgx-h100-sxm-8,hgx-h800-8', '--layouts', '1', '--set', 'duration=1800', '--set', 'workload.mix[0].steps=50', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j.rate_per_h).toBe(600);
    expect(j.rows[0].rank).toBe(1);
    expect(j.rows[0].nodes).toBeGreaterThan(0);
    expect(j.skipped[0].node).toBe('hgx-h800-8');
    // what the numbers rest on, as the text's "evidence:" lines
    expect(j.evidence_lines).toEqual([evidenceLineOf('h100-sxm')]);
  });

  it('tco --json carries the evidence lines the text prints: an unvalidated GPU, and the model family when not Wan', async () => {
    const args = ['tco', '--model', 'mochi-1', '--budget', '10M', '--nodes', 'dgx-b200-8,hgx-h100-sxm-8'];
    const j = JSON.parse((await inProcess([...args, '--json'])).stdout);
    // one line per GPU in rank order (H100 ranks first since plan tries Mochi's T5 sharded: cfg=2,t5=fsdp), then the family
    expect(j.evidence_lines).toEqual([
      expect.stringMatching(/^h100-sxm: measured kernel profile/), expect.stringMatching(/^b200: NO measured profile .* UNVALIDATED/), expect.stringMatching(/mochi/),
    ]);
    const text = (await inProcess(args)).stdout;
    for (const l of j.evidence_lines) expect(text).toContain(`  ${l}\n`);
  });

  it('other bad input exits 2 with the reason', async () => {
    const cases: [string[], RegExp][] = [
      [['size', 'test/fixtures/md1.yaml', '--slo', 'p95<=4m', '--rate', 'lots'], /--rate expects/],
      [['size', 'test/fixtures/md1.yaml', '--slo', 'nope.p95<=4m', '--nodes', 'hgx-h100-sxm-8'], /no request class "nope"/],
      [['size', 'test/fixtures/md1.yaml', '--slo', 'p95<=4m', '--nodes', 'hgx-h100-smx-8'], /unknown node "hgx-h100-smx-8"/],
      [['size', 'test/fixtures/md1.yaml', '--slo', 'p95<=4m', '--basis', 'rented'], /--basis expects owned or cloud/],
      [['tco', '--model', 'wan2.1-t2v-1.3b'], /--budget/],
      [['tco', '--model', 'wan2.1-t2v-1.3b', '--budget', 'lots'], /--budget expects/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
