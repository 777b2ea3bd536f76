import { describe, it, expect } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { batchMeans } from './support/queue-models.ts';

function md1(rho: number, customers: number, set: string[] = []) {
  // one replica, one request class: deterministic service S from the cost model, Poisson arrivals
  const probe = simulate(loadScenario('test/fixtures/md1.yaml', { set: ['duration=1'] }).scenario);
  const S = probe.service_times[0]!.total_s;
  const lambda = rho / S;
  const duration = customers / lambda;
  const { scenario } = loadScenario('test/fixtures/md1.yaml', { set: [`workload.arrivals.rate_per_s=${lambda}`, 'workload.arrivals.rate_per_hour=null', `duration=${duration}`, 'scheduling.granularity=stage', ...set] });
  return { S, lambda, result: simulate(scenario, { records: true }) };
}

describe('serving runtime', () => {
  it('M/D/1 limit: mean queue wait matches Pollaczek-Khinchine within 4 batch-means standard errors', () => {
    const { S, result } = md1(0.7, 150_000);
    const waits = result.records!.filter((r) => r.outcome === 'completed').sort((a, b) => a.arrival - b.arrival).map((r) => r.start - r.arrival);
    const est = batchMeans(waits, 2000);
    const theory = (0.7 * S) / (2 * (1 - 0.7));
    expect(est.se / theory).toBeLessThan(0.03);
    expect(Math.abs(est.mean - theory)).toBeLessThan(4 * est.se);
    expect(Math.abs(result.gpu_utilization - 0.7)).toBeLessThan(0.01);
  });

  it('conserves requests and keeps causality (arrival <= start <= finish) under drops and timeouts', () => {
    const { result } = md1(1.5, 3000, ['scheduling.max_queue=5', 'scheduling.timeout_s=600', 'drain=false']);
    const q = result.requests;
    expect(q.arrived).toBe(q.completed + q.dropped + q.failed + q.in_flight);
    expect(q.dropped).toBeGreaterThan(0);
    expect(q.in_flight).toBeGreaterThan(0);
    for (const r of result.records!) {
      if (r.outcome === 'completed') {
        expect(r.arrival).toBeLessThanOrEqual(r.start);
        expect(r.start).toBeLessThanOrEqual(r.finish);
      } else expect(r.arrival).toBeLessThanOrEqual(r.finish);
    }
    expect(result.records!.length).toBe(q.completed + q.dropped + q.failed);
  });

  it('priority queue serves urgent requests first', () => {
    const { scenario } = loadScenario('test/fixtures/md1.yaml', {
      set: ['duration=200000', 'workload.arrivals.rate_per_hour=40', 'scheduling.queue=priority', 'workload.mix=[{resolution: 832x480, priority: 0, name: urgent}, {resolution: 832x480, priority: 5, name: batch}]'],
    });
    const r = simulate(scenario);
    const urgent = r.classes.find((c) => c.name === 'urgent')!;
    const batch = r.classes.find((c) => c.name === 'batch')!;
    expect(urgent.queue_wait_s.mean).toBeLessThan(batch.queue_wait_s.mean / 2);
  });
});

describe('routing and queue policies', () => {
  const base = ['duration=400000', 'drain=false', 'scheduling.granularity=stage'];
  const run = (set: string[]) => simulate(loadScenario('test/fixtures/md1.yaml', { set: [...base, ...set] }).scenario, { checkRouting: true });

  it('slo-aware routing sends work to the faster pool and beats round-robin on latency', () => {
    // the same model on a fast pool (H100) and a slow one (L40S), one replica each
    const pools = ['cluster.nodes=[{type: hgx-h100-sxm-8, count: 1}, {type: l40s-pcie-8, count: 1}]',
      'deployment=[{name: fast, node: hgx-h100-sxm-8, replicas: 1}, {name: slow, node: l40s-pcie-8, replicas: 1}]', 'workload.arrivals.rate_per_hour=40'];
    const rr = run([...pools, 'scheduling.routing=round-robin']);
    const slo = run([...pools, 'scheduling.routing=slo-aware']);
    const served = (r: typeof rr, name: string) => r.pools.find((p) => p.name === name)!.served;
    expect(served(slo, 'fast')).toBeGreaterThan(served(slo, 'slow'));
    // round-robin splits arrivals evenly, so the slow replica's queue grows without bound at this rate
    expect(served(slo, 'fast') / served(slo, 'slow')).toBeGreaterThan(served(rr, 'fast') / served(rr, 'slow'));
    expect(slo.latency_s.mean).toBeLessThan(0.9 * rr.latency_s.mean);
  });

  it('shortest-job-first lowers the mean latency of a mixed workload; EDF raises the tight class\'s SLO attainment', () => {
    const mix = ['workload.arrivals.rate_per_hour=36',
      'workload.mix=[{name: short, resolution: 832x480, frames: 33, weight: 1, slo_s: 300}, {name: long, resolution: 832x480, frames: 81, weight: 1, slo_s: 3600}]'];
    const fcfs = run([...mix, 'scheduling.queue=fcfs']);
    const sjf = run([...mix, 'scheduling.queue=sjf']);
    const edf = run([...mix, 'scheduling.queue=edf']);
    expect(sjf.latency_s.mean).toBeLessThan(fcfs.latency_s.mean);
    const att = (r: typeof fcfs) => r.classes.find((c) => c.name === 'short')!.slo_attainment!;
    expect(att(edf)).toBeGreaterThan(att(fcfs));
  });
});
