import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, type SimulationResult } from '../src/serving/simulate.ts';
import { chromeTrace, chromeTraceJson, type ChromeTrace, type TraceEvent } from '../src/report/trace.ts';
import { summaryOf } from '../src/serving/simulate.ts';
import { estimate } from '../src/perf/estimate.ts';
import { getModel } from '../src/workload/request.ts';
import { vgsim } from './support/cli.ts';

const run = (file: string, set: string[]) => simulate(loadScenario(file, { set }).scenario, { records: true, timeline: true });

let plain: SimulationResult;
let disagg: SimulationResult;
let cold: SimulationResult;
let drill: SimulationResult;

beforeAll(() => {
  plain = run('scenarios/default.yaml', ['duration=2h']);
  disagg = run('test/fixtures/disaggregated.yaml', ['duration=2h']);
  cold = run('scenarios/default.yaml', ['duration=30m', 'deployment.replicas=1', 'deployment.warm=false']);
  // node 0 lost at 14:00 for 2 h, with light traffic so the run stays short
  drill = run('scenarios/failure-drill.yaml', ['duration=15h', 'workload.arrivals.rate_per_hour=8', 'failures.events[0].at=14h']);
});

const key = (e: TraceEvent) => `${e.pid}/${e.tid}`;

/** Well-formed events, sorted, with complete events that nest on every thread; returns the slices by thread. */
function checkTrace(t: ChromeTrace): Map<string, TraceEvent[]> {
  const ev = t.traceEvents;
  let seenData = false;
  let last = -1;
  for (const e of ev) {
    expect(['X', 'C', 'M', 'i', 's', 't', 'f']).toContain(e.ph);
    expect(Number.isInteger(e.ts) && e.ts >= 0).toBe(true);
    expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
    expect(typeof e.name).toBe('string');
    if (e.ph === 'X') expect(Number.isInteger(e.dur) && e.dur! >= 0).toBe(true);
    if (e.ph === 'C') expect(Object.values(e.args ?? {}).every((v) => typeof v === 'number')).toBe(true);
    if (e.ph === 'M') {
      expect(seenData).toBe(false); // metadata first
      continue;
    }
    seenData = true;
    expect(e.ts).toBeGreaterThanOrEqual(last); // sorted by time
    last = e.ts;
  }
  // on every thread, a slice either starts after the enclosing one ends or lies inside it
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of ev) if (e.ph === 'X') byThread.set(key(e), [...(byThread.get(key(e)) ?? []), e]);
  for (const [thread, list] of byThread) {
    const stack: TraceEvent[] = [];
    for (const e of list) {
      while (stack.length && stack[stack.length - 1]!.ts + stack[stack.length - 1]!.dur! <= e.ts) stack.pop();
      const top = stack[stack.length - 1];
      if (top) expect(e.ts + e.dur!, `${thread}: ${e.name} inside ${top.name}`).toBeLessThanOrEqual(top.ts + top.dur!);
      stack.push(e);
    }
  }
  // every thread that has slices is named
  const named = new Set(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name').map(key));
  for (const k of byThread.keys()) expect(named.has(k), `thread ${k} has a name`).toBe(true);
  return byThread;
}

/** Direct children of a slice on its thread. */
function childrenOf(list: TraceEvent[], parent: TraceEvent, cat?: string): TraceEvent[] {
  return list.filter((e) => e !== parent && e.ts >= parent.ts && e.ts + e.dur! <= parent.ts + parent.dur! && (cat === undefined || e.cat === cat));
}

describe('Chrome trace from the timeline', () => {
  it('recording the timeline changes no simulated number', () => {
    const off = simulate(loadScenario('test/fixtures/disaggregated.yaml', { set: ['duration=2h'] }).scenario, { records: true });
    const strip = (r: SimulationResult) => JSON.stringify({ ...summaryOf(r), wall_time_s: 0 });
    expect(strip(disagg)).toBe(strip(off));
    expect(disagg.records).toEqual(off.records);
    expect(off.timeline).toBeUndefined();
    expect(summaryOf(disagg)).not.toHaveProperty('timeline');
  });

  it('replica threads show batches with their real phases, which add up to the service time', () => {
    const t = chromeTrace(plain);
    const threads = checkTrace(t);
    const requests = t.traceEvents.filter((e) => e.cat === 'request');
    expect(requests.length).toBeGreaterThan(0);
    const a14b = plain.service_times;
    let checked = 0;
    for (const rec of plain.records!.filter((r) => r.outcome === 'completed')) {
      const q = requests.find((e) => e.args!.id === rec.id)!;
      const phases = childrenOf(threads.get(key(q))!, q, 'phase');
      // they tile the request slice exactly
      expect(phases[0]!.ts).toBe(q.ts);
      for (let i = 1; i < phases.length; i++) expect(phases[i]!.ts).toBe(phases[i - 1]!.ts + phases[i - 1]!.dur!);
      expect(phases[phases.length - 1]!.ts + phases[phases.length - 1]!.dur!).toBe(q.ts + q.dur!);
      expect(q.dur).toBe(Math.round(rec.finish * 1e6) - Math.round(rec.start * 1e6));
      // in seconds, the phases add up to the class's service time on an idle replica
      const sum = phases.reduce((a, p) => a + (p.args!.seconds as number), 0);
      expect(sum).toBeCloseTo(a14b.find((s) => s.class === rec.cls)!.total_s, 4);
      const names = phases.map((p) => p.name);
      expect(names.slice(0, 3)).toEqual(['umT5 to GPU and back', 'text encode', 'denoise step 1/40']);
      expect(names).toContain('expert swap');
      expect(names).toContain('denoise step 40/40');
      expect(names[names.length - 1]).toBe('VAE decode');
      expect(names.filter((n) => n.startsWith('denoise step')).length).toBe(40);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    const threadNames = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
    expect(threadNames).toContain('replica 7');
    expect(threadNames).toContain('node 0 (hgx-h100-sxm-8)');
    expect(t.otherData.timeline).toBe('simulated phases');
  });

  it('a cold start appears with its parts, as long as the cold start the summary reports', () => {
    expect(cold.cold_starts.count).toBe(1);
    const t = chromeTrace(cold);
    const threads = checkTrace(t);
    const loads = t.traceEvents.filter((e) => e.cat === 'load');
    const start = loads.find((e) => e.name.startsWith('cold start'))!;
    expect(start.dur).toBe(Math.round(cold.cold_starts.mean_s * 1e6));
    const parts = childrenOf(threads.get(key(start))!, start);
    expect(parts.map((p) => p.name)).toEqual(['process start-up', 'checkpoint read (local-nvme)', 'host cast + copy to GPU']);
    expect(parts[0]!.ts).toBe(start.ts);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.ts).toBe(parts[i - 1]!.ts + parts[i - 1]!.dur!);
    expect(parts[2]!.ts + parts[2]!.dur!).toBe(start.ts + start.dur!);
    // the replica thread shows it loading, and serves only after
    const loading = t.traceEvents.find((e) => e.cat === 'state' && e.name === 'loading (cold start)')!;
    expect(loading.dur).toBe(start.dur);
    const first = t.traceEvents.find((e) => e.cat === 'request')!;
    expect(first.ts).toBeGreaterThanOrEqual(loading.ts + loading.dur!);
    expect(t.traceEvents.some((e) => e.ph === 'M' && e.args!.name === 'cold starts')).toBe(true);
  });

  it('a disaggregated run shows each pool\'s part and every hand-over, with flow arrows', () => {
    const t = chromeTrace(disagg);
    checkTrace(t);
    const handoffs = t.traceEvents.filter((e) => e.cat === 'handoff' && e.ph === 'X');
    expect(disagg.handoffs.count).toBeGreaterThan(0);
    expect(handoffs.length).toBe(disagg.handoffs.count);
    const total = handoffs.reduce((a, e) => a + (e.args!.ms as number), 0);
    expect(total / handoffs.length).toBeCloseTo(disagg.handoffs.mean_ms, 3);
    // arrows: each starts on a replica and ends on the replica that took the request
    const starts = t.traceEvents.filter((e) => e.ph === 's');
    const ends = t.traceEvents.filter((e) => e.ph === 'f');
    expect(starts.length).toBe(handoffs.length);
    expect(new Set(ends.map((e) => e.id))).toEqual(new Set(starts.map((e) => e.id)));
    // a completed request shows up once on each pool: encode, denoise, decode
    const rec = disagg.records!.find((r) => r.outcome === 'completed')!;
    const parts = t.traceEvents.filter((e) => e.cat === 'request' && e.args!.id === rec.id);
    expect(parts.map((p) => p.args!.pool)).toEqual(['t5', 'dit', 'vae']);
    const pids = new Set(parts.map((p) => p.pid));
    expect(pids.size).toBe(3);
    expect(parts[2]!.ts + parts[2]!.dur!).toBe(Math.round(rec.finish * 1e6));
    const procs = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!.name);
    expect(procs).toContain('network: stage hand-overs');
  });

  it('failures: the down interval, the failure, and every attempt of a retried request', () => {
    const t = chromeTrace(drill);
    checkTrace(t);
    expect(drill.failures.node).toBe(1);
    const failure = t.traceEvents.find((e) => e.cat === 'failure' && e.ph === 'X')!;
    expect(failure.name).toBe('node failure on node 0');
    expect(failure.ts).toBe(14 * 3600e6);
    expect(failure.dur).toBe(Math.min(2 * 3600e6, Math.round(drill.sim_time_s * 1e6) - 14 * 3600e6));
    expect(t.traceEvents.filter((e) => e.cat === 'failure' && e.ph === 'i').length).toBe(1);
    expect(t.traceEvents.some((e) => e.cat === 'state' && e.name === 'down (failure)' && e.ts === failure.ts)).toBe(true);
    expect(drill.requests.retried).toBeGreaterThan(0);
    const retry = t.traceEvents.find((e) => e.cat === 'request' && e.args!.attempt === 1)!;
    const attempts = t.traceEvents.filter((e) => e.cat === 'request' && e.args!.id === retry.args!.id);
    expect(attempts.map((e) => e.args!.outcome)).toEqual(['interrupted', 'done']);
    expect(attempts[0]!.ts + attempts[0]!.dur!).toBe(failure.ts);
    expect(attempts[1]!.pid).toBe(attempts[0]!.pid);
    expect(attempts[1]!.tid).not.toBe(attempts[0]!.tid); // retried on another replica
  });

  it('--trace-ops: per-GPU operators that tile each expanded denoise step', () => {
    for (const r of [plain, disagg]) {
      const t = chromeTrace(r, { opsRequests: 2, opsSteps: 2 });
      const threads = checkTrace(t);
      const steps = t.traceEvents.filter((e) => e.cat === 'gpu-step');
      const gpus = r === plain ? 1 : 4;
      expect(steps.length).toBe(2 * 2 * gpus);
      for (const s of steps) {
        const list = threads.get(key(s))!;
        const leaves = childrenOf(list, s).filter((e) => e.cat === 'op' || e.cat === 'collective');
        expect(leaves.length).toBeGreaterThan(20);
        expect(leaves.reduce((a, e) => a + e.dur!, 0)).toBe(s.dur);
        // the step is the replica's real denoise step
        const phase = t.traceEvents.find((e) => e.cat === 'phase' && e.pid === s.pid && e.ts === s.ts && e.name === s.name)!;
        expect(phase.dur).toBe(s.dur);
        expect(leaves.some((e) => e.name.startsWith('self_attn.attention'))).toBe(true);
        expect(childrenOf(list, s, 'gpu-forward').map((e) => e.name)).toEqual(['forward (cond)', 'forward (uncond)', 'scheduler step']);
      }
      if (r === disagg) {
        const coll = t.traceEvents.filter((e) => e.cat === 'collective');
        expect(coll.length).toBeGreaterThan(0);
        for (const c of coll) {
          expect(c.args!.bytes_per_call).toBeGreaterThan(0);
          expect(c.args!.bus_bw_gbs).toBeGreaterThan(0);
          expect(c.args!.full_s as number).toBeGreaterThanOrEqual(c.args!.exposed_s as number);
        }
        const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name);
        expect(names).toContain('replica 0 · GPU 3');
      }
      expect(String(t.otherData.operators)).toMatch(/at most 2 step/);
    }
  });

  it('the same input gives byte-identical JSON', () => {
    const a = chromeTraceJson(chromeTrace(disagg, { opsRequests: 1 }));
    const again = run('test/fixtures/disaggregated.yaml', ['duration=2h']);
    expect(chromeTraceJson(chromeTrace(again, { opsRequests: 1 }))).toBe(a);
    expect(JSON.parse(a).traceEvents.length).toBeGreaterThan(100);
  });

  it('the estimate keeps its operator view out of JSON', () => {
    const e = estimate({ model: getModel('wan2.2-t2v-a14b'), gpu: 'h100-sxm', request: { width: 832, height: 480 }, options: { offload: true } });
    expect(e.forwardOps!.forward.length).toBeGreaterThan(20);
    expect(e.forwardOps!.forwards).toEqual(['forward (cond)', 'forward (uncond)']);
    expect(Object.keys(e)).not.toContain('forwardOps');
    expect(JSON.stringify(e)).not.toContain('forwardOps');
    // the ops of one step add up to the step the estimate prices
    expect(e.forwardOps!.step_s).toBeCloseTo(e.step_s, 3);
    expect(e.forwardOps!.step_s).toBeLessThanOrEqual(e.step_s); // launch-bound parts are scaled up in the trace
  });

  it('vgsim run --trace --trace-ops writes the trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-trace-'));
    try {
      const file = join(dir, 't.json');
      const r = vgsim(['run', 'scenarios/default.yaml', '--set', 'duration=1h', '--trace', file, '--trace-ops']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(doc.traceEvents.filter((e: TraceEvent) => e.cat === 'gpu-step').length).toBe(2);
      expect(vgsim(['run', 'scenarios/default.yaml', '--trace-ops', '2']).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
