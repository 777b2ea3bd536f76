/**
 * A scenario whose class does not fit its pool's GPUs is told what to change in the file, not which command-line
 * flag `vgsim estimate` would take (it said "(--offload (official single-GPU path: …))" for a scenario, and in
 * every OOM row of a sweep over GPU kinds). Both texts are rendered from one structured suggestion
 * (perf/fit-suggestion.ts); the scenario's text was once the flag text rewritten by regular expressions, which left
 * "vae=patch (…)" without saying where it goes.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate } from '../src/serving/simulate.ts';
import { fieldText, flagText, type FitSuggestion } from '../src/perf/fit-suggestion.ts';
import { estimate } from '../src/api/estimate.ts';
import { issuesOf } from './support/issues.ts';

function oomHint(set: string[]): string | undefined {
  const loaded = loadScenario('scenarios/default.yaml', { set: ['duration=10m', ...set] });
  const issues = issuesOf(() => simulate(loaded.scenario, { locate: loaded.locate }));
  const oom = issues.find((i) => /does not fit on/.test(i.message));
  expect(oom, JSON.stringify(issues)).toBeDefined();
  return oom!.hint;
}

describe('what to change when a class does not fit', () => {
  it('names the scenario field: inference.offload, inference.dtype, the pool\'s own where it sets the knob', () => {
    // the pool turns offload off itself: that is the field to change (the scenario's inference.offload is already true)
    expect(oomHint(['deployment.inference.offload=false'])).toBe('set deployment.inference.offload: true — official single-GPU path: one expert resident, umT5 and DiT moved off when unused');
    expect(oomHint(['inference.offload=false'])).toBe('set inference.offload: true — official single-GPU path: one expert resident, umT5 and DiT moved off when unused');
    const fp8 = oomHint(['cluster.nodes.0.type=l40s-pcie-8', 'deployment.gpus_per_replica=2', 'deployment.parallel=ulysses=2', 'deployment.replicas=4']);
    expect(fp8).toBe('set inference.dtype: fp8 — DiT weights at 1 byte a parameter instead of 2 (bf16): half the size');
  });

  it('every kind of suggestion renders as flags and as fields from the same data, with no command-line flag in the fields', () => {
    const cases: [FitSuggestion, string, string][] = [
      [{ kind: 'set', flag: '--offload', field: 'inference.offload', value: 'true', why: 'text encoder and DiT moved off the GPU when unused' },
        '--offload (text encoder and DiT moved off the GPU when unused)', 'set inference.offload: true — text encoder and DiT moved off the GPU when unused'],
      [{ kind: 'set', flag: '--parallel cpu-offload', field: 'parallel', value: 'cpu-offload', why: 'weights streamed from host memory; the official single-GPU low-memory path' },
        '--parallel cpu-offload (weights streamed from host memory; the official single-GPU low-memory path)', 'set parallel: cpu-offload — weights streamed from host memory; the official single-GPU low-memory path'],
      [{ kind: 'set', flag: '--t5-cpu', field: 'inference.text_encoder', value: 'cpu', why: 'keep umT5 on the CPU' }, '--t5-cpu (keep umT5 on the CPU)', 'set inference.text_encoder: cpu — keep umT5 on the CPU'],
      [{ kind: 'fsdp', example: { gpus: 8, parallel: 'ulysses=8,fsdp' } },
        'FSDP weight sharding with sequence parallelism over more GPUs, e.g. --gpus 8 --parallel ulysses=8,fsdp', 'FSDP weight sharding with sequence parallelism over more GPUs, e.g. gpus_per_replica: 8 with parallel: ulysses=8,fsdp'],
      [{ kind: 'fsdp', example: null }, 'FSDP weight sharding (add fsdp to --parallel)', "FSDP weight sharding: add fsdp to the pool's parallel"],
      [{ kind: 'parallel', token: 't5=fsdp', why: 'shard umT5 over the group: the official --t5_fsdp' },
        't5=fsdp in --parallel (shard umT5 over the group: the official --t5_fsdp)', "t5=fsdp in the pool's parallel — shard umT5 over the group: the official --t5_fsdp"],
      // the regular expressions left this one as the flag text, saying nowhere where vae=patch goes
      [{ kind: 'parallel', token: 'vae=patch', why: 'split the decode over the group' }, 'vae=patch in --parallel (split the decode over the group)', "vae=patch in the pool's parallel — split the decode over the group"],
      [{ kind: 'advice', text: 'more GPUs in the sequence-parallel group (activations shrink with it)' }, 'more GPUs in the sequence-parallel group (activations shrink with it)', 'more GPUs in the sequence-parallel group (activations shrink with it)'],
    ];
    expect(cases.map(([s]) => [flagText(s), fieldText(s)])).toEqual(cases.map(([, flags, fields]) => [flags, fields]));
    for (const [s] of cases) expect(fieldText(s)).not.toMatch(/(^|\s)--(?!t5_fsdp)/);
  });

  it('an estimate that does not fit carries its suggestions as data, and its flag text is rendered from it', () => {
    const oom = [
      estimate({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', resolution: '1280x720' }),
      estimate({ model: 'wan2.1-t2v-14b', gpu: 'l40s', resolution: '1280x720', gpus: 2, parallel: 'ulysses=2' }),
    ];
    for (const e of oom) {
      expect(e.fits).toBe(false);
      expect(e.memory.fixes.length).toBeGreaterThan(0);
      expect(e.memory.suggestions).toEqual(e.memory.fixes.map(flagText));
    }
    expect(oom[0]!.memory.fixes[0]).toEqual({ kind: 'set', flag: '--offload', field: 'inference.offload', value: 'true', why: expect.stringMatching(/^official single-GPU path/) });
    expect(estimate({ model: 'wan2.1-t2v-1.3b', gpu: 'h100-sxm' }).memory).toMatchObject({ suggestions: [], fixes: [] });
  });
});
