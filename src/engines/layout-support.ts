/**
 * Which parallel layouts an engine's own code runs for a model: the one rule the plan search (it picks only
 * among these), the estimate (its header names a what-if) and the deploy launch lines (they refuse a what-if)
 * all read. From the engine profile (profiles.ts): `parallel.supported` features run, unless `parallel.only`
 * limits one to some models; `parallel.whatIf` features and `offload.whatIf` modes do not run in the engine's
 * code, but vgsim prices them on its kernels (a what-if: estimated, listed, never recommended); anything else
 * the engine does not run at all (rules.ts refuses the layout).
 */
import type { ModelSpec } from '../workload/models.ts';
import type { ParallelPlan } from '../parallel/plan.ts';
import { ENGINES, isEngineId, type EngineProfile, type OffloadMode, type ParallelFeature } from './profiles.ts';

export interface LayoutSupport {
  /** Parallel features the engine neither runs nor prices as a what-if (the layout is refused). */
  missing: ParallelFeature[];
  /** Offload modes the engine neither runs nor prices as a what-if. */
  missingOffload: OffloadMode[];
  /** Both, one phrase each ("tensor parallel (tp=2)", "DiT blocks streamed from host memory (cpu-offload)"). */
  missingText: string[];
  /** What the engine's code does not run for this model but vgsim prices anyway, one phrase each ("CFG parallel (cfg=2)"). */
  whatIf: string[];
  /** The what-ifs as one note, "not in the official Wan2.2 code: CFG parallel (cfg=2)"; null when the engine runs the layout. */
  note: string | null;
}

/** An engine's profile by id; undefined (or an unknown id, which resolveEngine reports) is the official code. */
export function engineProfile(engine: string | undefined): EngineProfile {
  return ENGINES[engine !== undefined && isEngineId(engine) ? engine : 'official'];
}

/** The plan's parallel features, as engine profiles name them. */
export function planFeatures(p: ParallelPlan): ParallelFeature[] {
  const f: ParallelFeature[] = [];
  if (p.ulysses > 1) f.push('ulysses');
  if (p.ring > 1) f.push('ring');
  if (p.tp > 1) f.push('tp');
  if (p.pipefusion > 1) f.push('pipefusion');
  if (p.cfg === 2) f.push('cfg');
  if (p.fsdp) f.push('fsdp');
  if (p.experts === 'split') f.push('experts-split');
  if (p.vae === 'patch') f.push('vae-patch');
  if (p.t5 === 'fsdp') f.push('t5-fsdp');
  return f;
}

/** Each feature as a what-if note names it, with the plan's spelling of it. */
const FEATURE_TEXT: Record<ParallelFeature, (p: ParallelPlan) => [string, string]> = {
  ulysses: (p) => ['Ulysses sequence parallel', `ulysses=${p.ulysses}`],
  ring: (p) => ['ring attention', `ring=${p.ring}`],
  tp: (p) => ['tensor parallel', `tp=${p.tp}`],
  pipefusion: (p) => ['PipeFusion', `pipefusion=${p.pipefusion}`],
  cfg: () => ['CFG parallel', 'cfg=2'],
  fsdp: () => ['FSDP weight sharding', 'fsdp'],
  'experts-split': () => ['one GPU group per expert', 'experts=split'],
  'vae-patch': () => ['a patch-parallel VAE decode', 'vae=patch'],
  't5-fsdp': () => ['umT5 sharding', 't5=fsdp'],
};
const OFFLOAD_TEXT: Record<OffloadMode, string> = {
  model: 'whole-model offload (offload)',
  block: 'DiT blocks streamed from host memory (cpu-offload)',
  't5-cpu': 'umT5 on the CPU (t5=cpu)',
};

/** A parallel feature as a note names it, with the plan's spelling: "tensor parallel (tp=2)". */
export function featureText(f: ParallelFeature, plan: ParallelPlan): string {
  const [name, spec] = FEATURE_TEXT[f](plan);
  return `${name} (${spec})`;
}

/** Whose code a what-if note says the layout is not in: "the official Wan2.2 code", "xDiT / xfuser's code for Wan2.2-T2V-A14B". */
export function engineCodeName(e: EngineProfile, model: ModelSpec): string {
  if (e.id !== 'official') return `${e.name}'s code for ${model.name}`;
  const repo = /Wan-Video\/(Wan2\.\d)/.exec(model.release ?? '')?.[1];
  return `the official ${repo ?? model.name} code`;
}

/** What `engine` (undefined: the official code) runs of `plan` for `model`, and what is a vgsim what-if there. */
export function layoutSupport(engine: string | undefined, plan: ParallelPlan, model: ModelSpec): LayoutSupport {
  const e = engineProfile(engine);
  // a non-Wan model's official engine is its own pipeline, whose layouts ModelSpec.parallel lists (parallel/family-rules.ts);
  // the profile was read from Wan's code
  if (model.family !== 'wan' && e.id === 'official') return { missing: [], missingOffload: [], missingText: [], whatIf: [], note: null };
  const missing: ParallelFeature[] = [];
  const missingOffload: OffloadMode[] = [];
  const whatIf: string[] = [];
  for (const f of planFeatures(plan)) {
    const [name, spec] = FEATURE_TEXT[f](plan);
    const only = e.parallel.only?.[f];
    if (e.parallel.supported.includes(f)) {
      if (only && !only.models.includes(model.id)) whatIf.push(`${name} (${spec}; ${only.why})`);
    } else if (e.parallel.whatIf?.includes(f)) whatIf.push(`${name} (${spec})`);
    else missing.push(f);
  }
  const used: [OffloadMode, boolean][] = [['model', plan.offload], ['block', plan.cpuOffload], ['t5-cpu', plan.t5 === 'cpu']];
  for (const [mode, on] of used) {
    if (!on || e.offload.modes.includes(mode)) continue;
    if (e.offload.whatIf?.includes(mode)) whatIf.push(OFFLOAD_TEXT[mode]);
    else missingOffload.push(mode);
  }
  const missingText = [...missing.map((f) => featureText(f, plan)), ...missingOffload.map((m) => OFFLOAD_TEXT[m])];
  return { missing, missingOffload, missingText, whatIf, note: whatIf.length ? `not in ${engineCodeName(e, model)}: ${whatIf.join(', ')}` : null };
}

/** Whether the engine runs the layout or vgsim prices it as a what-if there (nothing it lacks altogether). */
export function pricesLayout(s: LayoutSupport): boolean {
  return !s.missing.length && !s.missingOffload.length;
}

