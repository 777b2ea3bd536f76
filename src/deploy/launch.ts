/**
 * Launch commands for a chosen layout: the official Wan `generate.py` line and the xDiT (`xdit`, package
 * xfuser) equivalent. Each is emitted only for layouts that runtime actually runs; otherwise the reason is
 * returned instead. Both are starting points: the official script renders one video per launch.
 *
 * Sources (read at these commits):
 *   Wan-Video/Wan2.2 @42bf4cf generate.py, wan/configs/__init__.py, README.md:
 *     tasks t2v-A14B / i2v-A14B / ti2v-5B; `--size W*H` from SUPPORTED_SIZES; `--frame_num`, `--sample_steps`;
 *     multi-GPU = `torchrun --nproc_per_node=N generate.py … --dit_fsdp --t5_fsdp --ulysses_size N`;
 *     `--ulysses_size` must equal the world size and divide the heads; no ring, CFG, tensor or pipeline
 *     parallelism; `--offload_model` defaults to True on one GPU, False on several; `--convert_model_dtype`
 *     (bf16 DiT) only without FSDP; `--t5_cpu` only without `--t5_fsdp`; single GPU README line:
 *     `python generate.py --task t2v-A14B --size 1280*720 --ckpt_dir ./Wan2.2-T2V-A14B --offload_model True --convert_model_dtype`.
 *   Wan-Video/Wan2.1 @9737cba generate.py: tasks t2v-14B / t2v-1.3B (sizes 480*832, 832*480 only for 1.3B);
 *     `--ring_size` beside `--ulysses_size` (through xDiT's USP), `ulysses_size × ring_size == world size`;
 *     no `--convert_model_dtype`.
 *   xdit-project/xDiT @175e0bf docs/runner/runner.md, xfuser/cli.py, runner_models/wan.py: `xdit --model
 *     Wan2.2-T2V|Wan2.2-I2V|Wan2.2-TI2V|Wan2.1-T2V|Wan2.1-I2V` with `--height --width --num_frames
 *     --num_inference_steps`, `--ulysses_degree --ring_degree --data_parallel_degree --fully_shard_degree
 *     --use_parallel_vae --use_fp8_gemms --use_torch_compile`; `--use_cfg_parallel` only on the I2V models;
 *     no PipeFusion or tensor parallelism for Wan; the launcher starts ulysses × ring × pipefusion × tp ×
 *     dp × (2 with CFG parallel) processes (xfuser/cli.py get_nproc_from_args).
 */
import { formatPlan, groupGpus, type ParallelPlan } from '../parallel/plan.ts';
import type { ModelSpec } from '../workload/models.ts';
import { layoutSupport } from '../engines/layout-support.ts';
import { ENGINES } from '../engines/profiles.ts';

export interface LaunchTarget {
  model: ModelSpec;
  plan: ParallelPlan;
  /** GPUs of one replica. */
  gpus: number;
  /** GPUs per node the replica uses (a replica larger than this spans nodes). */
  gpusPerNode: number;
  width: number;
  height: number;
  frames: number;
  steps: number;
  /** Options beyond the plan that change what can run. */
  dtype?: 'bf16' | 'fp8';
  compile?: boolean;
  /** Where the checkpoints are (default ./<checkpoint folder>). */
  ckptRoot?: string;
}

export type Launch =
  | { runtime: string; supported: true; command: string; argv: string[]; processes: number; nodes: number; notes: string[] }
  | { runtime: string; supported: false; reason: string };

interface OfficialModel {
  repo: 'Wan2.2' | 'Wan2.1';
  task: string;
  ckpt: string;
  sizes: readonly string[];
  needsImage: boolean;
}

/** vgsim model id → the official task (sizes from each repo's SUPPORTED_SIZES). */
const OFFICIAL: Record<string, OfficialModel> = {
  'wan2.2-t2v-a14b': { repo: 'Wan2.2', task: 't2v-A14B', ckpt: 'Wan2.2-T2V-A14B', sizes: ['720*1280', '1280*720', '480*832', '832*480'], needsImage: false },
  'wan2.2-i2v-a14b': { repo: 'Wan2.2', task: 'i2v-A14B', ckpt: 'Wan2.2-I2V-A14B', sizes: ['720*1280', '1280*720', '480*832', '832*480'], needsImage: true },
  'wan2.2-ti2v-5b': { repo: 'Wan2.2', task: 'ti2v-5B', ckpt: 'Wan2.2-TI2V-5B', sizes: ['704*1280', '1280*704'], needsImage: false },
  'wan2.1-t2v-14b': { repo: 'Wan2.1', task: 't2v-14B', ckpt: 'Wan2.1-T2V-14B', sizes: ['720*1280', '1280*720', '480*832', '832*480'], needsImage: false },
  'wan2.1-t2v-1.3b': { repo: 'Wan2.1', task: 't2v-1.3B', ckpt: 'Wan2.1-T2V-1.3B', sizes: ['480*832', '832*480'], needsImage: false },
};

/** vgsim model id → xDiT runner model name (runner_models/wan.py); which of them has CFG parallel is the xdit engine profile's (engines/profiles.ts). */
const XDIT: Record<string, { name: string }> = {
  'wan2.2-t2v-a14b': { name: 'Wan2.2-T2V' },
  'wan2.2-i2v-a14b': { name: 'Wan2.2-I2V' },
  'wan2.2-ti2v-5b': { name: 'Wan2.2-TI2V' },
  'wan2.1-t2v-14b': { name: 'Wan2.1-T2V' },
};

/** Quotes a shell word when it needs it (a bare $VAR stays unquoted so the shell expands it). */
export function shellWord(w: string): string {
  return /^[\w@%+=:,./*$-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

const PROMPT = 'A cat walking in a garden at sunset';

function nodesOf(t: LaunchTarget): number {
  return Math.ceil(t.gpus / Math.max(1, Math.min(t.gpusPerNode, t.gpus)));
}

/** `torchrun` (or `python` on one GPU) + the official Wan generate.py flags, or why the official code cannot run the layout. */
export function officialLaunch(t: LaunchTarget): Launch {
  const runtime = 'official Wan generate.py';
  const m = OFFICIAL[t.model.id];
  const refuse = (reason: string): Launch => ({ runtime, supported: false, reason });
  if (!m) return refuse(`${t.model.id} is not one of the official Wan checkpoints (${Object.keys(OFFICIAL).join(', ')})`);
  const p = t.plan;
  const size = `${t.width}*${t.height}`;
  if (!m.sizes.includes(size)) return refuse(`the official ${m.task} task takes --size ${m.sizes.join(', ')}; ${size} is not one of them`);
  if (t.frames % 4 !== 1) return refuse(`--frame_num must be 4n+1, got ${t.frames}`);
  if (p.dp > 1) return refuse(`dp=${p.dp}: run ${p.dp} separate launches (one per replica) instead`);
  // what the official code runs for this model: the rule plan's ranking and the estimate's what-if line read too
  const runs = layoutSupport('official', p, t.model);
  if (runs.note) return refuse(runs.note);
  if (t.dtype === 'fp8') return refuse('the official code runs the DiT in bf16 (fp8 linear layers are an xDiT option: --use_fp8_gemms)');
  const sp = p.ulysses * p.ring;
  if (t.gpus !== groupGpus(p)) return refuse(`the layout uses ${groupGpus(p)} GPUs per request group but the replica has ${t.gpus}`);
  if (t.gpus > 1 && sp !== t.gpus) return refuse(`on ${t.gpus} GPUs the official code needs ulysses${m.repo === 'Wan2.1' ? ' × ring' : ''} = ${t.gpus} (the world size), got ${sp}`);
  if (p.ulysses > 1 && t.model.dit.heads % p.ulysses !== 0) return refuse(`${t.model.dit.heads} attention heads are not divisible by ulysses=${p.ulysses}`);
  if (p.offload && t.gpus > 1) return refuse('the official offload path (--offload_model True) is for one GPU');
  if (p.experts === 'swap' && !p.offload) return refuse('the official code swaps experts only on its single-GPU offload path (`offload`)');
  if (p.t5 === 'fsdp' && t.gpus === 1) return refuse('--t5_fsdp needs several GPUs');

  const ckpt = `${t.ckptRoot ?? '.'}/${m.ckpt}`;
  const flags = ['--task', m.task, '--size', size, '--frame_num', String(t.frames), '--sample_steps', String(t.steps), '--ckpt_dir', ckpt];
  const notes: string[] = [];
  const nodes = nodesOf(t);
  let launcher: string[];
  if (t.gpus === 1) {
    launcher = ['python', 'generate.py'];
    flags.push('--offload_model', p.offload ? 'True' : 'False');
    if (m.repo === 'Wan2.2') flags.push('--convert_model_dtype');
    else notes.push('Wan2.1 keeps the fp32 checkpoint on the GPU (no --convert_model_dtype in its generate.py)');
    if (p.t5 === 'cpu') flags.push('--t5_cpu');
  } else {
    const perNode = t.gpus / nodes;
    launcher = nodes > 1
      ? ['torchrun', `--nnodes=${nodes}`, `--nproc_per_node=${perNode}`, '--rdzv_backend=c10d', '--rdzv_endpoint=$MASTER_ADDR:29500', 'generate.py']
      : ['torchrun', `--nproc_per_node=${t.gpus}`, 'generate.py'];
    flags.push('--ulysses_size', String(p.ulysses));
    if (p.ring > 1) flags.push('--ring_size', String(p.ring));
    if (p.fsdp) flags.push('--dit_fsdp');
    else if (m.repo === 'Wan2.2') flags.push('--convert_model_dtype');
    if (p.t5 === 'fsdp') flags.push('--t5_fsdp');
    if (p.t5 === 'cpu') flags.push('--t5_cpu');
    if (p.t5 === 'gpu') notes.push('umT5 is replicated on every rank (vgsim t5=gpu); add --t5_fsdp to shard it as the README does (t5=fsdp)');
    if (p.ring > 1) notes.push('--ring_size needs xDiT (pip install xfuser) beside Wan2.1');
    if (nodes > 1) notes.push(`${nodes} nodes: run the same line on each with --node_rank set (MASTER_ADDR = the first node)`);
  }
  if (m.needsImage) flags.push('--image', 'input.jpg');
  if (t.compile) notes.push('the official code runs eagerly: --compile has no flag there (xDiT: --use_torch_compile)');
  flags.push('--prompt', PROMPT);
  const argv = [...launcher, ...flags];
  notes.push(`run from a checkout of Wan-Video/${m.repo}; layout ${formatPlan(p)}`);
  return { runtime, supported: true, argv, command: argv.map(shellWord).join(' '), processes: t.gpus, nodes, notes };
}

/** `xdit` (xDiT's launcher, package xfuser) flags for the layout, or why xDiT cannot run it. */
export function xditLaunch(t: LaunchTarget): Launch {
  const runtime = 'xDiT (xdit, package xfuser)';
  const m = XDIT[t.model.id];
  const refuse = (reason: string): Launch => ({ runtime, supported: false, reason });
  if (!m) return refuse(`xDiT's runner has no ${t.model.id} (it registers ${Object.values(XDIT).map((x) => x.name).join(', ')}, Wan2.1-I2V)`);
  const p = t.plan;
  // what xDiT runs for this model (engines/layout-support.ts: CFG parallel on the I2V models only), as plan ranks it
  const runs = layoutSupport('xdit', p, t.model);
  if (runs.missingText.length) return refuse(`xDiT's Wan runner has no ${runs.missingText.join(', ')} (${ENGINES.xdit.parallel.source})`);
  if (runs.note) return refuse(runs.note);
  if (p.experts === 'swap') return refuse('xDiT keeps both experts resident (experts=swap is the official single-GPU path)');
  if (t.gpus !== groupGpus(p)) return refuse(`the layout uses ${groupGpus(p)} GPUs per request group but the replica has ${t.gpus}`);
  if (p.ulysses > 1 && t.model.dit.heads % p.ulysses !== 0) return refuse(`${t.model.dit.heads} attention heads are not divisible by ulysses=${p.ulysses}`);

  const flags = ['--model', m.name, '--height', String(t.height), '--width', String(t.width), '--num_frames', String(t.frames), '--num_inference_steps', String(t.steps)];
  if (p.ulysses > 1) flags.push('--ulysses_degree', String(p.ulysses));
  if (p.ring > 1) flags.push('--ring_degree', String(p.ring));
  if (p.cfg > 1) flags.push('--use_cfg_parallel');
  if (p.fsdp) flags.push('--fully_shard_degree', String(t.gpus));
  if (p.vae === 'patch') flags.push('--use_parallel_vae');
  if (t.dtype === 'fp8') flags.push('--use_fp8_gemms');
  if (t.compile) flags.push('--use_torch_compile');
  const nodes = nodesOf(t);
  const notes: string[] = [];
  if (nodes > 1) {
    flags.push('--nnodes', String(nodes), '--node_rank', '$NODE_RANK', '--master_addr', '$MASTER_ADDR');
    notes.push(`${nodes} nodes: run the same line on each with its NODE_RANK`);
  }
  if (p.t5 === 'fsdp') notes.push('xDiT\'s runner has no umT5 sharding flag: umT5 is replicated on every rank');
  if (m.name.endsWith('I2V')) flags.push('--input_images', 'input.jpg');
  flags.push('--prompt', PROMPT);
  notes.push(`xdit starts ulysses × ring × (2 with CFG parallel) = ${p.ulysses * p.ring * p.cfg} processes itself (xfuser/cli.py); layout ${formatPlan(p)}`);
  const argv = ['xdit', ...flags];
  return { runtime, supported: true, argv, command: argv.map(shellWord).join(' '), processes: t.gpus, nodes, notes };
}
