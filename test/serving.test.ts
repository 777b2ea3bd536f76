/**
 * The serving runtime beyond the queue: cold starts, shared storage, power and energy, failures,
 * autoscaling with sleeping nodes, batching, daily rate curves. Expected values come from hand
 * calculations on published file sizes and measured rates, or from renewal theory.
 */
import type { InputError } from '../src/errors.ts';
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { integrateSteps } from '../src/engine/power-meter.ts';
import { getNode } from '../src/hardware/catalog.ts';
import { dailyCurve, DAY_S } from '../src/workload/rate-curve.ts';
import { makeArrivals } from '../src/workload/arrivals.ts';
import { RandomStreams } from '../src/engine/random.ts';

const host = JSON.parse(readFileSync('calibration/host/h100-test-vm.json', 'utf8'));
/** Measured start of a replica process (interpreter + import torch + CUDA context), single-GPU replica. */
const startup = JSON.parse(readFileSync('calibration/host/startup-h100-x2.json', 'utf8')).process_total_s as number;
const profile = JSON.parse(readFileSync('calibration/profiles/h100-sxm.json', 'utf8'));
const GB = 1e9;
/** Published checkpoint files of Wan2.1-T2V-1.3B (../shared/data/wan-architecture.md D.4). */
const FILES_13B = { dit_fp32: 5.68e9, t5_pth: 11.4e9, vae_pth: 507_609_880 };
const noTraffic = ['workload.arrivals.rate_per_hour=0.000001'];
const run = (set: string[], opts = {}) => simulate(loadScenario('test/fixtures/md1.yaml', { set }).scenario, { checkRouting: true, ...opts });

describe('cold starts', () => {
  const readS = FILES_13B.dit_fp32 / (host.page_cache_read_gbps * GB) + (FILES_13B.t5_pth + FILES_13B.vae_pth) / (host.torch_load_from_page_cache_gbps * GB);
  const castS = FILES_13B.dit_fp32 / (host.cpu_cast_fp32_to_bf16_gbps_of_fp32_read * GB);
  // on the GPU: DiT in bf16, umT5 in bf16, VAE in fp32, copied with module.to() from pageable memory
  const h2dS = (FILES_13B.dit_fp32 / 2 + FILES_13B.t5_pth + FILES_13B.vae_pth) / (profile.host_link.module_to_cuda_gbps * GB);

  it('one replica from local NVMe: process start + host ingest + CPU cast + module.to(), as hand-computed from measured rates', () => {
    const r = run([...noTraffic, 'duration=600', 'deployment.warm=false']);
    expect(r.cold_starts.count).toBe(1);
    const expected = startup + readS + castS + h2dS;
    expect(Math.abs(r.cold_starts.mean_s / expected - 1)).toBeLessThan(0.03);
  });

  it('four replicas share a 1 GB/s network file system: each reads at a quarter of it (processor sharing)', () => {
    const r = run([...noTraffic, 'duration=3600', 'deployment.warm=false', 'deployment.replicas=4', 'cluster.storage.tier=nfs', 'cluster.storage.read_gbs=1']);
    expect(r.cold_starts.count).toBe(4);
    const total = FILES_13B.dit_fp32 + FILES_13B.t5_pth + FILES_13B.vae_pth;
    const expected = startup + total / (0.25 * GB) + castS + h2dS;
    expect(Math.abs(r.cold_starts.mean_s / expected - 1)).toBeLessThan(0.03);
    expect(r.cold_starts.p95_s).toBeGreaterThan(0.97 * expected);
  });

  it('GPUDirect Storage with bf16 checkpoints: the DiT streams at the drive rate, only the .pth files take the host path', () => {
    const r = run([...noTraffic, 'duration=600', 'deployment.warm=false', 'cluster.storage={tier: local-nvme, gds: true, checkpoint_dtype: bf16}']);
    const dit = FILES_13B.dit_fp32 / 2;
    const pth = FILES_13B.t5_pth + FILES_13B.vae_pth;
    // one GPU reads at min(RAID 0 55.3 GB/s, GDS into one GPU 26.4 GiB/s — bounded by its PCIe link) from the catalog
    const node = getNode('hgx-h100-sxm-8');
    const gdsGBs = Math.min(node.localStorage.raid0ReadGBs!, 26.4 * 1.073741824);
    const expected = startup + (dit + pth) / (gdsGBs * GB) + pth / (host.torch_load_from_page_cache_gbps * GB) + (FILES_13B.t5_pth + FILES_13B.vae_pth) / (profile.host_link.module_to_cuda_gbps * GB);
    expect(Math.abs(r.cold_starts.mean_s / expected - 1)).toBeLessThan(0.03);
  });

  it('a request arriving before the model is loaded waits for the load', () => {
    const r = run(['duration=600', 'deployment.warm=false', 'workload.arrivals.rate_per_hour=600'], { records: true });
    const first = r.records!.filter((x) => x.outcome === 'completed').sort((a, b) => a.arrival - b.arrival)[0]!;
    expect(first.start).toBeGreaterThanOrEqual(startup + readS + castS + h2dS - 1);
  });
});

describe('power and energy', () => {
  const node = getNode('hgx-h100-sxm-8');
  it('an idle node draws 8 x (idle or deep-idle GPU) + non-GPU idle power, exactly integrated', () => {
    const r = run([...noTraffic, 'duration=3600'], { powerSteps: true });
    // one replica on GPU 0 (context open: profile idle power); seven free GPUs at deep idle
    const expectedW = profile.idle.power_w + 7 * 71.1 + node.nonGpuPowerW.idle;
    expect(r.energy.avg_power_kw * 1000).toBeCloseTo(expectedW, 3);
    expect(r.energy.total_kwh).toBeCloseTo((expectedW * 3600) / 3.6e6, 6);
    expect(r.energy.facility_kwh).toBeCloseTo(r.energy.total_kwh * 1.2, 9);
  });

  it('the power time series integrates to the energy total; GPU energy = completed x per-request energy + idle', () => {
    const r = run(['duration=20000', 'workload.arrivals.rate_per_hour=6', 'drain=false'], { powerSteps: true });
    const stepJ = integrateSteps(r.power_steps!, r.sim_time_s);
    expect(stepJ / 3.6e6).toBeCloseTo(r.energy.total_kwh, 6);
    expect(r.energy.peak_power_kw * 1000).toBeCloseTo(Math.max(...r.power_steps!.map((s) => s.watts)), 6);
    // cross-check against the cost model's per-request GPU energy (estimate.gpu_energy_wh)
    const est = r.estimates![0]!.estimate;
    const busyS = r.gpu_utilization * r.sim_time_s;
    const perGpuJ = r.energy.by_component_kwh.gpus! * 3.6e6 - 7 * 71.1 * r.sim_time_s; // less the 7 free GPUs
    const busyJ = r.requests.completed * est.gpu_energy_wh * 3600;
    const idleJ = (r.sim_time_s - busyS) * est.power.per_gpu_w.idle;
    const partialS = busyS - r.requests.completed * est.total_s; // the request still running at the end
    expect(partialS).toBeGreaterThanOrEqual(-1e-6);
    expect(Math.abs(perGpuJ - (busyJ + idleJ)) / perGpuJ).toBeLessThan(partialS > 0 ? 0.02 : 1e-6);
  });
});

describe('power per node and overrides', () => {
  it('node energies add up to the cluster energy; node_overhead_w and psu_efficiency apply as hand-computed', () => {
    const two = ['duration=20000', 'cluster.nodes=[{type: hgx-h100-sxm-8, count: 2}]', 'deployment.replicas=12', 'workload.arrivals.rate_per_hour=60', 'drain=false'];
    const r = run(two, { powerSteps: true });
    const nodes = r.energy.nodes.per_node;
    expect(nodes.length).toBe(2);
    const sumKwh = nodes.reduce((a, n) => a + (n.avg_kw * r.sim_time_s) / 3600, 0);
    expect(sumKwh).toBeCloseTo(r.energy.total_kwh, 6);
    expect(r.energy.nodes.max_peak_kw).toBeLessThanOrEqual(r.energy.peak_power_kw + 1e-9);
    // 8 replicas on node 0, 4 on node 1: node 0 draws more
    expect(nodes[0]!.avg_kw).toBeGreaterThan(nodes[1]!.avg_kw);
    const idle = run([...noTraffic, 'duration=3600', 'power.node_overhead_w={idle: 1000, busy: 3000}']);
    expect(idle.energy.avg_power_kw * 1000).toBeCloseTo(profile.idle.power_w + 7 * 71.1 + 1000, 3);
    const psu = run([...noTraffic, 'duration=3600', 'power.psu_efficiency=0.9'], { powerSteps: true });
    const base = run([...noTraffic, 'duration=3600']);
    expect(psu.energy.total_kwh).toBeCloseTo(base.energy.total_kwh / 0.9, 9);
    expect(psu.energy.by_component_kwh.psu_loss).toBeCloseTo(base.energy.total_kwh * (1 / 0.9 - 1), 9);
    expect(integrateSteps(psu.power_steps!, psu.sim_time_s) / 3.6e6).toBeCloseTo(psu.energy.total_kwh, 9);
  });
});

describe('failures', () => {
  const base = [...noTraffic, 'duration=72000000', 'deployment.replicas=8', 'failures={gpu: {mtbf_h: 50, mttr_h: 5}}'];
  // cold start of the 1.3B model after a repair (s): from the hand calculation above, ~14 s
  const loadH = (r: ReturnType<typeof run>) => r.cold_starts.mean_s / 3600;

  it('single-GPU replicas: availability = MTBF / (MTBF + MTTR + reload), alternating renewal process', () => {
    const r = run(base);
    const expected = 50 / (50 + 5 + loadH(r));
    expect(r.failures.gpu).toBeGreaterThan(2500);
    expect(Math.abs(r.failures.availability - expected)).toBeLessThan(0.01);
  });

  it('Weibull failures with the same mean give the same availability (renewal-reward insensitivity)', () => {
    const r = run([...base.slice(0, -1), 'failures={gpu: {mtbf_h: 50, mttr_h: 5, distribution: weibull, shape: 2.5}}']);
    expect(Math.abs(r.failures.availability - 50 / (50 + 5 + loadH(r)))).toBeLessThan(0.01);
  });

  it('a 4-GPU replica is up only when all four GPUs are: availability ~ A^4', () => {
    const r = run([...noTraffic, 'duration=72000000', 'deployment.replicas=2', 'deployment.gpus_per_replica=4', 'deployment.parallel="cfg=2,ulysses=2"', 'failures={gpu: {mtbf_h: 50, mttr_h: 5}}']);
    const a = 50 / 55;
    // every repair that brings the replica back costs one reload (count: cold starts)
    const expected = a ** 4 - (r.cold_starts.count * r.cold_starts.mean_s) / (2 * 72000000);
    expect(Math.abs(r.failures.availability - expected)).toBeLessThan(0.015);
  });

  it('interrupted requests are retried elsewhere; every request is accounted for; arrivals do not move', () => {
    const common = ['duration=400000', 'deployment.replicas=4', 'workload.arrivals.rate_per_hour=40', 'drain=false'];
    const withF = run([...common, 'failures={gpu: {mtbf_h: 5, mttr_h: 1}, max_retries: 2}'], { records: true });
    const lost = run([...common, 'failures={gpu: {mtbf_h: 5, mttr_h: 1}, policy: drop}'], { records: true });
    const without = run(common, { records: true });
    for (const res of [withF, lost]) {
      const q = res.requests;
      expect(q.arrived).toBe(q.completed + q.dropped + q.failed + q.in_flight);
      expect(res.records!.length).toBe(q.completed + q.dropped + q.failed);
    }
    expect(withF.requests.retried).toBeGreaterThan(10);
    expect(withF.records!.filter((x) => x.outcome === 'completed' && x.retries > 0).length).toBeGreaterThan(10);
    expect(lost.requests.retried).toBe(0);
    expect(lost.requests.failed).toBeGreaterThan(10);
    expect(lost.records!.filter((x) => x.outcome === 'failed').every((x) => x.reason === 'hardware failure')).toBe(true);
    // the failure model draws from its own stream: the arrival instants are identical
    const arr = (res: typeof withF) => res.records!.map((x) => x.arrival).sort((a, b) => a - b);
    const a1 = arr(withF);
    const a0 = arr(without);
    expect(a1.slice(0, 500)).toEqual(a0.slice(0, 500));
  });
});

describe('autoscaling', () => {
  it('a request reaching a sleeping node waits boot + cold start + service; the node sleeps again afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-'));
    writeFileSync(join(dir, 'one.csv'), 'timestamp_s\n7200\n');
    const r = run([
      'duration=20000', `workload.arrivals={process: trace, file: ${join(dir, 'one.csv')}}`,
      'autoscale={min_replicas: 0, interval_s: 60, cooldown_s: 300, sleep: node, boot_s: 240}',
    ], { records: true, powerSteps: true });
    const rec = r.records![0]!;
    expect(rec.outcome).toBe('completed');
    const service = r.service_times[0]!.total_s;
    const coldStart = r.cold_starts.mean_s;
    expect(rec.finish - rec.arrival).toBeCloseTo(240 + coldStart + service, 6);
    expect(r.autoscaling.node_boots).toBe(1);
    expect(r.autoscaling.node_shutdowns).toBe(2); // at the first tick, and after the request
    // powered off most of the time: the average power is far below an idle node
    expect(r.energy.avg_power_kw).toBeLessThan(0.25);
    expect(r.warnings.some((w) => /of the trace's/.test(w))).toBe(false);
  });

  it('trace rows at or after the duration are left out with a warning, not silently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-'));
    writeFileSync(join(dir, 'late.csv'), 'timestamp_s\n0\n7200\n');
    const r = run(['duration=1h', `workload.arrivals={process: trace, file: ${join(dir, 'late.csv')}}`]);
    expect(r.requests.arrived).toBe(1);
    expect(r.warnings).toContain("1 of the trace's 2 rows arrive at or after the duration (3600 s) and are not simulated; raise duration to replay them");
  });

  it('over an office-hours day, sleeping nodes save energy and keep SLOs', () => {
    const common = ['duration=172800', 'deployment.replicas=8', 'workload.arrivals.rate_per_hour=30', 'workload.curve=office-hours', 'workload.mix=[{resolution: 832x480, frames: 81, steps: 50, slo_s: 1800}]', 'drain=false'];
    const always = run(common);
    const scaled = run([...common, 'autoscale={min_replicas: 1, metric: queue_length, scale_up_at: 1, interval_s: 30, cooldown_s: 60, sleep: gpus}']);
    expect(scaled.autoscaling.scale_downs).toBeGreaterThan(5);
    expect(scaled.autoscaling.scale_ups).toBeGreaterThan(5);
    expect(scaled.energy.total_kwh).toBeLessThan(0.95 * always.energy.total_kwh);
    expect(scaled.slo_attainment!).toBeGreaterThan(0.9);
    const q = scaled.requests;
    expect(q.arrived).toBe(q.completed + q.dropped + q.failed + q.in_flight);
    expect(Math.max(...scaled.timeseries.map((p) => p.active_replicas))).toBeGreaterThan(Math.min(...scaled.timeseries.map((p) => p.active_replicas)));
  });
});

describe('SLO attainment', () => {
  it('a dropped request with an SLO is a miss (a run dropping a tenth of its requests said 100%)', () => {
    // an overloaded replica with a short queue: many turned away, every completed one within the loose SLO
    const r = run(['duration=20000', 'workload.arrivals.rate_per_hour=200', 'scheduling.max_queue=1', 'workload.mix.0.slo_s=100000']);
    const q = r.requests;
    expect(q.dropped).toBeGreaterThan(0.2 * q.arrived);
    expect(r.slo_attainment!).toBeCloseTo(q.completed / (q.completed + q.dropped + q.failed), 9);
    const c = r.classes[0]!;
    expect(c.slo_attainment!).toBeCloseTo(c.completed / (c.completed + c.dropped + c.failed), 9);
  });
});

describe('batching', () => {
  it('a batch that does not fit the GPU is an input error at max_batch naming the largest that fits (it ran, 166 GB on an 80 GB H100)', () => {
    let err: unknown;
    try {
      simulate(loadScenario('scenarios/default.yaml', { set: ['deployment.batching={max_batch: 4, window_s: 60}'] }).scenario);
    } catch (e) {
      err = e;
    }
    const issues = (err as InputError).issues;
    expect(issues.map((i) => i.path)).toEqual(['deployment.batching.max_batch', 'deployment.batching.max_batch']);
    expect(issues[0]!.message).toMatch(/^class "720p-5s" does not fit on h100-sxm in a batch of 4: OOM/);
    expect(issues[1]!.hint).toBe('at most 3 of this class fit in one batch: max_batch 3, or a separate pool for the larger shapes');
  });

  it('a saturated replica with max_batch 2 completes two requests per batch service time', () => {
    const common = ['duration=100000', 'workload.arrivals.rate_per_hour=600', 'scheduling.max_queue=10', 'drain=false'];
    const b2 = run([...common, 'deployment.batching={max_batch: 2}']);
    const b1 = run(common);
    const s1 = b1.service_times[0]!.total_s;
    expect(b1.throughput_per_h).toBeCloseTo(3600 / s1, 0);
    // batch-2 service time from the cost model: slightly less than 2 x single (better GEMM shapes)
    const ratio = b2.throughput_per_h / b1.throughput_per_h;
    expect(ratio).toBeGreaterThan(0.98);
    expect(ratio).toBeLessThan(1.25);
  });
});

describe('daily rate curves', () => {
  it('built-in curves average 1 over the day', () => {
    for (const name of ['diurnal', 'office-hours'] as const) {
      const c = dailyCurve(name);
      let sum = 0;
      const n = 86400;
      for (let t = 0; t < n; t++) sum += c.at(t + 0.5);
      expect(sum / n).toBeCloseTo(1, 4);
      expect(c.cumulative(DAY_S)).toBeCloseTo(DAY_S, 6);
      expect(c.inverse(c.cumulative(12345.6))).toBeCloseTo(12345.6, 6);
    }
  });

  it('a triangle curve (0 at midnight, peak at noon) puts 12.5% of arrivals in 00:00-06:00', () => {
    const curve = dailyCurve([{ at: '00:00', x: 0 }, { at: '12:00', x: 2 }]);
    // x(t) = t/6 for t in [0,12] h (mean 1): the share of [0,6) h is the integral 3 h over 24 h
    const rng = new RandomStreams(3).stream('arrivals');
    const proc = makeArrivals({ process: 'poisson', rate_per_hour: 200 } as never, rng, undefined, 1, curve);
    let t = 0;
    let n = 0;
    let early = 0;
    while ((t = proc.next(t)) < 60 * DAY_S) {
      n++;
      if (t % DAY_S < 6 * 3600) early++;
    }
    expect(Math.abs(n / (60 * 24 * 200) - 1)).toBeLessThan(4 / Math.sqrt(60 * 24 * 200));
    const p = 0.125;
    expect(Math.abs(early / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('rateScale multiplies the arrival rate', () => {
    const one = run(['duration=100000', 'workload.arrivals.rate_per_hour=3', 'drain=false']);
    const two = simulate(loadScenario('test/fixtures/md1.yaml', { set: ['duration=100000', 'workload.arrivals.rate_per_hour=3', 'drain=false'] }).scenario, { rateScale: 2 });
    const ratio = two.requests.arrived / one.requests.arrived;
    expect(Math.abs(ratio - 2)).toBeLessThan(0.35);
  });
});

describe('failure drill', () => {
  it('a scheduled node failure takes its replicas down for repair_after + reload, and their requests are retried', () => {
    const set = ['duration=40000', 'cluster.nodes=[{type: hgx-h100-sxm-8, count: 2}]', 'deployment.replicas=16', 'workload.arrivals.rate_per_hour=300', 'drain=false',
      'failures={events: [{at: 5h, what: node, node: 1, repair_after: 2h}]}'];
    const r = run(set, { records: true });
    expect(r.failures.node).toBe(1);
    // 8 of 16 replicas down for 2 h plus one reload each: availability = 1 - 8 (7200 + load) / (16 T)
    const expected = 1 - (8 * (7200 + r.cold_starts.mean_s)) / (16 * r.sim_time_s);
    expect(r.failures.availability).toBeCloseTo(expected, 6);
    expect(r.cold_starts.count).toBe(8);
    expect(r.requests.retried).toBeGreaterThan(0);
    const q = r.requests;
    expect(q.arrived).toBe(q.completed + q.dropped + q.failed + q.in_flight);
    // a drill naming a node that does not exist is an input error
    expect(() => run(['duration=100', 'failures={events: [{at: 10, what: node, node: 5, repair_after: 10}]}'])).toThrow(/node 5 does not exist/);
  });

  it('a drill after the end of the run did not happen and says so (it was ignored silently)', () => {
    const r = run(['duration=3600', 'drain=false', 'failures={events: [{at: 100h, what: node, node: 0, repair_after: 1h}, {at: 600, what: node, node: 0, repair_after: 60}]}']);
    expect(r.failures.node).toBe(1);
    expect(r.warnings).toContain('1 of the 2 failure drills (failures.events) are at or after the end of the run (3600 s: the duration) and did not happen; move them within the run or raise duration to include them');
    expect(run(['duration=3600', 'drain=false', 'failures={events: [{at: 600, what: node, node: 0, repair_after: 60}]}']).warnings.join('\n')).not.toMatch(/drill/);
  });
});

describe('stage disaggregation', () => {
  it('a request runs umT5, DiT and VAE on three pools; its latency is the sum of the parts and the two hand-overs', async () => {
    const { Network } = await import('../src/parallel/network.ts');
    const r = simulate(loadScenario('test/fixtures/disaggregated.yaml', { set: ['workload.arrivals.rate_per_hour=0.5', 'duration=40h'] }).scenario, { records: true, checkRouting: true });
    const part = (pool: string) => r.service_times.find((x) => x.pool === pool)!.total_s;
    expect(r.service_times.find((x) => x.pool === 't5')!.stages).toEqual(['encode']);
    // 480P, 81 frames: context 2 x 512 x 4096 bf16 = 8.4 MB; latents 16 x 21 x 60 x 104 fp32 = 8.4 MB
    const ctx = 2 * 512 * 4096 * 2;
    const lat = 16 * 21 * 60 * 104 * 4;
    const net = new Network('l40s-pcie-8');
    const h100 = new Network('hgx-h100-sxm-8');
    const expected = part('t5') + net.collective('sendrecv', ctx, 2, 8).seconds + part('dit') + h100.collective('sendrecv', lat, 2, 8).seconds + part('vae');
    const done = r.records!.filter((x) => x.outcome === 'completed');
    expect(done.length).toBeGreaterThan(10);
    // at this load nothing queues: every request takes exactly the sum
    const unqueued = done.filter((x) => x.start === x.arrival);
    expect(unqueued.length).toBeGreaterThan(5);
    for (const x of unqueued.slice(0, 5)) expect(x.finish - x.arrival).toBeCloseTo(expected, 6);
    expect(r.classes[0]!.service_s).toBeCloseTo(part('t5') + part('dit') + part('vae'), 9);
    expect(r.handoffs.count).toBe(2 * r.requests.completed);
    // the VAE pool on L40S holds only the VAE: it fits where the whole model would not
    const vaeMem = r.service_times.find((x) => x.pool === 'vae')!.peak_memory_gb;
    expect(vaeMem).toBeLessThan(48);
  });

  it('stages must be consecutive, and every stage needs a pool', () => {
    expect(() => loadScenario('test/fixtures/disaggregated.yaml', { set: ['deployment.2.stages=[encode, decode]'] })).toThrow(/consecutive/);
    expect(() => loadScenario('test/fixtures/disaggregated.yaml', { set: ['deployment.2.stages=[denoise]'] })).toThrow(/no pool runs the decode stage/);
  });
});
