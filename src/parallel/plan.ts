/**
 * Parallel plans: how one request's work is split over the GPUs of a replica, and the validity rules.
 *
 * Spec string (CLI `--parallel`, scenario `parallel:`), comma-separated, order free:
 *   ulysses=N      Ulysses sequence parallel (heads scattered by all-to-all; the official Wan2.2 path)
 *   ring=N         Ring attention (KV blocks passed around, overlapped with attention)
 *   tp=N           tensor parallel (Megatron-style: column/row-split linears, 2 all-reduces per block)
 *   pipefusion=N   PipeFusion patch pipeline (layers split over N stages, stale KV; xDiT)
 *   cfg=2          CFG parallel (the two guidance branches on two GPU groups)
 *   dp=N           N independent replicas inside this GPU set (throughput, not latency)
 *   fsdp           FSDP weight sharding over the sequence/tensor group (per-block all-gather, prefetched)
 *   experts=resident|swap|split   A14B expert placement: both resident; one resident and the other swapped
 *                  over PCIe at the boundary; or each expert on its own GPU group (doubles the GPUs)
 *   offload        the official single-GPU offload path (umT5 and the inactive expert on the CPU)
 *   cpu-offload    DiT weights stay in host memory and stream to the GPU block by block (prefetched)
 *   vae=rank0|patch   VAE decode on one GPU (official) or split spatially over the group (patch-parallel)
 *   t5=gpu|cpu|fsdp   where umT5 runs; fsdp shards it like --t5_fsdp
 * "none" or "" is the single-GPU plan.
 */
import { didYouMean, InputError, type InputIssue } from '../errors.ts';
import type { ModelSpec } from '../workload/models.ts';
import { supportProblems } from './family-rules.ts';

export type ExpertPlacement = 'resident' | 'swap' | 'split';

export interface ParallelPlan {
  ulysses: number;
  ring: number;
  tp: number;
  pipefusion: number;
  cfg: 1 | 2;
  dp: number;
  fsdp: boolean;
  experts: ExpertPlacement;
  offload: boolean;
  cpuOffload: boolean;
  vae: 'rank0' | 'patch';
  t5: 'gpu' | 'cpu' | 'fsdp';
}

export const SINGLE_GPU: ParallelPlan = {
  ulysses: 1, ring: 1, tp: 1, pipefusion: 1, cfg: 1, dp: 1, fsdp: false, experts: 'resident', offload: false, cpuOffload: false, vae: 'rank0', t5: 'gpu',
};

const DEGREES = ['ulysses', 'ring', 'tp', 'pipefusion', 'cfg', 'dp'] as const;
const FLAGS = ['fsdp', 'offload', 'cpu-offload'] as const;
const CHOICES = { experts: ['resident', 'swap', 'split'], vae: ['rank0', 'patch'], t5: ['gpu', 'cpu', 'fsdp'] } as const;
const ALL_KEYS = [...DEGREES, ...FLAGS, ...Object.keys(CHOICES)];

/** GPUs one request group uses (sequence × tensor × pipeline × CFG), excluding dp and expert splitting. */
export function groupGpus(p: ParallelPlan): number {
  return p.ulysses * p.ring * p.tp * p.pipefusion * p.cfg;
}

/** All GPUs the plan needs. */
export function planGpus(p: ParallelPlan): number {
  return groupGpus(p) * p.dp * (p.experts === 'split' ? 2 : 1);
}

/** Why a replica of `gpus` GPUs cannot span `nodes` nodes (each node holds at least one of its GPUs), or undefined. */
export function replicaNodesProblem(gpus: number, nodes: number): string | undefined {
  if (nodes <= gpus) return undefined;
  const s = gpus > 1 ? 's' : '';
  return `a replica of ${gpus} GPU${s} spans at most ${gpus} node${s}`;
}

export function formatPlan(p: ParallelPlan): string {
  const parts: string[] = [];
  for (const k of DEGREES) if (p[k] > 1) parts.push(`${k}=${p[k]}`);
  if (p.fsdp) parts.push('fsdp');
  if (p.experts !== 'resident') parts.push(`experts=${p.experts}`);
  if (p.offload) parts.push('offload');
  if (p.cpuOffload) parts.push('cpu-offload');
  if (p.vae !== 'rank0') parts.push(`vae=${p.vae}`);
  if (p.t5 !== 'gpu') parts.push(`t5=${p.t5}`);
  return parts.length ? parts.join(',') : 'none';
}

/** Parses a spec string; `source` names where it came from (for error messages). */
export function parsePlan(spec: string, source = '--parallel'): ParallelPlan {
  const plan: ParallelPlan = { ...SINGLE_GPU };
  const issues: InputIssue[] = [];
  const text = spec.trim();
  if (text === '' || text === 'none') return plan;
  const seen = new Map<string, string>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const [key, value] = part.split('=').map((s) => s.trim()) as [string, string | undefined];
    const bad = (message: string, hint?: string) => issues.push({ source, path: 'parallel', message: `"${part}": ${message}`, hint });
    // a repeated option (ulysses=2,ulysses=4) took the last one silently
    const before = seen.get(key);
    if (before !== undefined) {
      bad(`${key} is given twice (also "${before}")`, `keep one ${key}`);
      continue;
    }
    seen.set(key, part);
    if ((DEGREES as readonly string[]).includes(key)) {
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < 1) bad(`${key} needs a positive integer, e.g. ${key}=4`);
      else if (key === 'cfg' && n > 2) bad('cfg parallel degree is 1 or 2 (there are two guidance branches)');
      else (plan as unknown as Record<string, number>)[key] = n;
    } else if ((FLAGS as readonly string[]).includes(key)) {
      if (value !== undefined && value !== 'true') bad(`${key} is a flag and takes no value`);
      else if (key === 'fsdp') plan.fsdp = true;
      else if (key === 'offload') plan.offload = true;
      else plan.cpuOffload = true;
    } else if (key in CHOICES) {
      const allowed = CHOICES[key as keyof typeof CHOICES] as readonly string[];
      if (value === undefined || !allowed.includes(value)) bad(`${key} must be one of ${allowed.join(', ')}`, value ? didYouMean(value, allowed) : undefined);
      else (plan as unknown as Record<string, string>)[key] = value;
    } else {
      bad('unknown parallel option', didYouMean(key, ALL_KEYS) ?? `options: ${ALL_KEYS.join(', ')}`);
    }
  }
  if (issues.length) throw new InputError(issues);
  return plan;
}

/**
 * Validity rules for a plan on a model and GPU count. Returns problems (empty = valid), each with a
 * reason a user can act on. Memory fit is checked by the estimate, not here.
 */
export function planProblems(plan: ParallelPlan, model: ModelSpec, gpus: number, opts: { cfg: boolean; tokens: number; cfgOffBy?: string }): string[] {
  const out: string[] = [];
  const heads = model.dit.heads;
  const need = planGpus(plan);
  if (need !== gpus) {
    out.push(`the degrees multiply to ${need} GPUs (${formatPlan(plan)}${plan.experts === 'split' ? ', ×2 for split experts' : ''}) but the replica has ${gpus}`);
  }
  if (heads % (plan.ulysses * plan.tp) !== 0) {
    const ok = divisors(heads).filter((d) => d <= 64);
    out.push(`${model.name} has ${heads} attention heads, not divisible by ulysses×tp = ${plan.ulysses * plan.tp} (valid degrees: ${ok.join(', ')}); use ring attention for the rest`);
  }
  if (model.dit.ffnDim % plan.tp !== 0 || model.dit.dim % plan.tp !== 0) out.push(`tp=${plan.tp} does not divide the DiT widths (dim ${model.dit.dim}, ffn ${model.dit.ffnDim})`);
  if (plan.cfg === 2 && !opts.cfg) out.push(`cfg=2 needs classifier-free guidance (${opts.cfgOffBy ?? 'the request has CFG off'}): nothing for a second GPU group to run, give its GPUs to ulysses or ring instead (e.g. ${formatPlan({ ...plan, cfg: 1, ...(heads % (plan.ulysses * 2 * plan.tp) === 0 ? { ulysses: plan.ulysses * 2 } : { ring: plan.ring * 2 }) })})`);
  if (plan.pipefusion > model.dit.layers) out.push(`pipefusion=${plan.pipefusion} exceeds the ${model.dit.layers} layers`);
  if (plan.experts !== 'resident' && model.experts !== 2) out.push(`experts=${plan.experts} needs a two-expert model (${model.name} has one DiT)`);
  if (plan.offload && plan.fsdp) out.push('offload moves whole models to the CPU between uses; with FSDP shards use cpu-offload');
  if (plan.offload && plan.cpuOffload) out.push('choose offload or cpu-offload, not both');
  if (plan.fsdp && plan.ulysses * plan.ring * plan.tp === 1 && plan.cfg === 1 && plan.pipefusion === 1) out.push('fsdp needs several GPUs in the group to shard over');
  if (plan.ring > 1 && Math.floor(opts.tokens / (plan.ulysses * plan.ring)) < 256) out.push(`ring=${plan.ring} leaves under 256 tokens per GPU`);
  out.push(...supportProblems(plan, model));
  return out;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}
