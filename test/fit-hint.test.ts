/**
 * A scenario whose class does not fit its pool's GPUs is told what to change in the file, not which command-line
 * flag `vgsim estimate` would take (it said "(--offload (official single-GPU path: …))" for a scenario, and in
 * every OOM row of a sweep over GPU kinds).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { scenarioFitHint } from '../src/serving/fit-hint.ts';
import { issuesOf } from './support/issues.ts';

function oomHint(set: string[]): string | undefined {
  const loaded = loadScenario('scenarios/default.yaml', { set: ['duration=10m', ...set] });
  const issues = issuesOf(() => simulate(loaded.scenario, { locate: loaded.locate }));
  const oom = issues.find((i) => /does not fit on/.test(i.message));
  expect(oom, JSON.stringify(issues)).toBeDefined();
  return oom!.hint;
}

describe('what to change when a class does not fit', () => {
  it('names the scenario field: inference.offload, inference.dtype', () => {
    expect(oomHint(['deployment.inference.offload=false'])).toBe('set inference.offload: true — official single-GPU path: one expert resident, umT5 and DiT moved off when unused');
    const fp8 = oomHint(['cluster.nodes.0.type=l40s-pcie-8', 'deployment.gpus_per_replica=2', 'deployment.parallel=ulysses=2', 'deployment.replicas=4']);
    expect(fp8).toBe('set inference.dtype: fp8 — DiT weights at 1 byte a parameter instead of 2 (bf16): half the size');
  });

  it('every suggestion the memory verdict makes reads as fields, with no command-line flag left', () => {
    const flags = [
      '--offload (text encoder and DiT moved off the GPU when unused)',
      '--parallel cpu-offload (weights streamed from host memory; the official single-GPU low-memory path)',
      '--t5-cpu (keep umT5 on the CPU)',
      'FSDP weight sharding with sequence parallelism over more GPUs, e.g. --gpus 8 --parallel ulysses=8,fsdp',
      'FSDP weight sharding (add fsdp to --parallel)',
      't5=fsdp in --parallel (shard umT5 over the group: the official --t5_fsdp)',
    ];
    const hints = flags.map(scenarioFitHint);
    expect(hints).toEqual([
      'set inference.offload: true — text encoder and DiT moved off the GPU when unused',
      'set parallel: cpu-offload — weights streamed from host memory; the official single-GPU low-memory path',
      'set inference.text_encoder: cpu — keep umT5 on the CPU',
      'FSDP weight sharding with sequence parallelism over more GPUs, e.g. gpus_per_replica: 8 with parallel: ulysses=8,fsdp',
      "FSDP weight sharding: add fsdp to the pool's parallel",
      "t5=fsdp in the pool's parallel — shard umT5 over the group: the official --t5_fsdp",
    ]);
  });
});
