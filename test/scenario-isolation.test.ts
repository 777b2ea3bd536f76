/**
 * Scenarios do not leak into each other in one process (issue: a process-global model registry made `compare`
 * of two scenarios defining the same model id report the same latency for both, and a sweep point's result
 * depend on which points ran before it in the same worker).
 */
import { describe, it, expect } from 'vitest';
import { parseScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { summaryOf } from '../src/serving/result.ts';
import { listModels } from '../src/workload/request.ts';
import { runSweep } from '../src/sweep/runner.ts';

const scenario = (layers: number) => `
name: my-dit-${layers}
seed: 7
duration: 30m
models:
  - id: my-dit
    base: wan2.1-t2v-1.3b
    dit: { layers: ${layers} }
model: my-dit
cluster: { nodes: [{ type: hgx-h100-sxm-8, count: 1 }] }
deployment: { replicas: 1, gpus_per_replica: 1 }
workload:
  arrivals: { process: poisson, rate_per_hour: 6 }
  mix: [{ resolution: 832x480, frames: 81, steps: 10 }]
`;
const p50 = (text: string) => summaryOf(simulate(parseScenario(text).scenario)).latency_s.p50;

describe('scenario isolation', () => {
  it('two scenarios defining the same model id differently keep their own definitions, loaded in any order', () => {
    const alone2 = p50(scenario(2));
    const alone30 = p50(scenario(30));
    expect(alone30).toBeGreaterThan(2 * alone2); // 30 DiT layers vs 2 (text encoder and VAE the same)
    // both loaded first, then run (what `compare` does)
    const a = parseScenario(scenario(2));
    const b = parseScenario(scenario(30));
    expect(summaryOf(simulate(a.scenario)).latency_s.p50).toBe(alone2);
    expect(summaryOf(simulate(b.scenario)).latency_s.p50).toBe(alone30);
    expect(summaryOf(simulate(a.scenario)).latency_s.p50).toBe(alone2);
  });

  it("a scenario's models are not left behind in the process", () => {
    parseScenario(scenario(4));
    expect(listModels().map((m) => m.id)).not.toContain('my-dit');
  });

  it('a sweep point does not depend on the points run before it in the same worker', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'vgsim-iso-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, scenario(2));
    const point = (id: number, layers: number) => ({ id, set: [`models.0.dit.layers=${layers}`], seed: 7, values: {} }) as never;
    const forward = await runSweep([point(0, 30), point(1, 2)], { file, workers: 0 });
    const backward = await runSweep([point(0, 2), point(1, 30)], { file, workers: 0 });
    const latency = (o: { summary?: { latency_s: { p50: number } } }) => o.summary!.latency_s.p50;
    expect(latency(forward[1] as never)).toBe(latency(backward[0] as never));
    expect(latency(forward[0] as never)).toBe(latency(backward[1] as never));
  });
});

describe('scenario isolation with the other families', () => {
  const familyScenario = (model: string) => `
name: my-video
seed: 7
duration: 30m
models:
  - ${model}
model: my-video
cluster: { nodes: [{ type: hgx-h100-sxm-8, count: 1 }] }
deployment: { replicas: 1, gpus_per_replica: 1 }
workload:
  arrivals: { process: poisson, rate_per_hour: 4 }
  mix: [{ steps: 5 }]
`;
  const fromConfig = (dir: string) => familyScenario(`{ id: my-video, diffusers_config: ${process.cwd()}/test/fixtures/${dir}/transformer/config.json }`);
  const fromBase = (layers: number) => familyScenario(`{ id: my-video, base: cogvideox-5b, dit: { layers: ${layers} } }`);
  const service = (text: string) => summaryOf(simulate(parseScenario(text).scenario)).classes[0]!.service_s;

  it("a config.json model and a base-plus-overrides model under the same id stay each scenario's own, in any order", () => {
    const ltx = fromConfig('diffusers-ltx13b');
    const hunyuan = fromConfig('diffusers-hunyuan');
    const alone = [service(ltx), service(hunyuan), service(fromBase(10)), service(fromBase(42))];
    expect(new Set(alone).size).toBe(4);
    expect(alone[3]!).toBeGreaterThan(alone[2]!); // 42 CogVideoX blocks take longer than 10
    const loaded = [ltx, hunyuan, fromBase(10), fromBase(42)].map((t) => parseScenario(t));
    expect(loaded.map((l) => summaryOf(simulate(l.scenario)).classes[0]!.service_s)).toEqual(alone);
    expect(listModels().map((m) => m.id)).not.toContain('my-video');
  });
});
