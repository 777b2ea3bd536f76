/**
 * The official Wan launch lines, read as vgsim terms: `[torchrun --nproc_per_node=N] generate.py --task …`
 * → model, request shape, parallel plan and inference options, exactly as the official scripts would run
 * them (Wan-Video/Wan2.2 and Wan-Video/Wan2.1 `generate.py`; see ../shared/data/wan-architecture.md §B.1).
 *
 * Mapping (the README's table is generated from OFFICIAL_FLAG_MAP below):
 *   --task t2v-A14B | i2v-A14B | ti2v-5B (Wan2.2), t2v-14B | t2v-1.3B (Wan2.1)  → the model
 *   --size W*H, --frame_num N, --sample_steps N                                → the request
 *   --sample_shift X                                                            → inference.sample_shift
 *   --image FILE (ti2v-5B: image-to-video; i2v tasks always have one)           → request.image
 *   --ulysses_size N (= world size), --ring_size N (Wan2.1 only, through xDiT)  → ulysses=N, ring=N
 *   --dit_fsdp → fsdp · --t5_fsdp → t5=fsdp · --t5_cpu → t5=cpu
 *   --offload_model True|False (default: True on one GPU, False on several)    → offload
 *   --convert_model_dtype (Wan2.2, not with FSDP) → DiT weights in bf16; without it the checkpoint's fp32
 *     stays resident (Wan2.1 code has no such flag: always fp32) → inference.weight_dtype
 * The world size is --nproc_per_node (torchrun) or, without torchrun, 1. The same validity rules as the
 * scripts apply (asserts in generate.py): FSDP and Ulysses need several processes, ulysses_size must equal
 * the world size and divide the head count.
 */
import { InputError, didYouMean, type InputIssue } from '../errors.ts';
import { SINGLE_GPU, type ParallelPlan } from './plan.ts';

/** What an official launch line describes, in vgsim terms. */
export interface OfficialRun {
  /** vgsim model id. */
  model: string;
  /** Which repository's generate.py runs it. */
  code: 'wan2.1' | 'wan2.2';
  request: { width?: number; height?: number; frames?: number; steps?: number; image?: boolean };
  gpus: number;
  plan: ParallelPlan;
  /** DiT weights resident on the GPU: converted to bf16, or the checkpoint's fp32. */
  weightDtype: 'bf16' | 'fp32';
  /** --sample_shift when given (else the script's default for the task, engines/sample-shift.ts). */
  sampleShift?: number;
  /** The flags as read, normalised (for reports). */
  flags: string[];
}

/** Official --task names and the models they run. */
export const OFFICIAL_TASKS: Record<string, { model: string; code: 'wan2.1' | 'wan2.2'; image: boolean }> = {
  't2v-A14B': { model: 'wan2.2-t2v-a14b', code: 'wan2.2', image: false },
  'i2v-A14B': { model: 'wan2.2-i2v-a14b', code: 'wan2.2', image: true },
  'ti2v-5B': { model: 'wan2.2-ti2v-5b', code: 'wan2.2', image: false },
  't2v-14B': { model: 'wan2.1-t2v-14b', code: 'wan2.1', image: false },
  't2v-1.3B': { model: 'wan2.1-t2v-1.3b', code: 'wan2.1', image: false },
};

/** The flag → vgsim mapping, one row per flag (the README's table). */
export const OFFICIAL_FLAG_MAP: { flag: string; vgsim: string }[] = [
  { flag: 'torchrun --nproc_per_node=N', vgsim: '`--gpus N` (world size)' },
  { flag: '--task t2v-A14B / i2v-A14B / ti2v-5B / t2v-14B / t2v-1.3B', vgsim: '`--model wan2.2-t2v-a14b` / `wan2.2-i2v-a14b` / `wan2.2-ti2v-5b` / `wan2.1-t2v-14b` / `wan2.1-t2v-1.3b`' },
  { flag: '--size W*H, --frame_num N, --sample_steps N', vgsim: '`--resolution WxH`, `--frames N`, `--steps N`' },
  { flag: '--sample_shift X', vgsim: '`--sample-shift X` (the A14B expert switch; where a step cache\'s published schedule holds)' },
  { flag: '--image (ti2v-5B)', vgsim: '`--image` (VAE-encodes the reference image)' },
  { flag: '--ulysses_size N', vgsim: '`ulysses=N`' },
  { flag: '--ring_size N (Wan2.1 with xDiT)', vgsim: '`ring=N`' },
  { flag: '--dit_fsdp', vgsim: '`fsdp` (fp32 shards, gathered in bf16)' },
  { flag: '--t5_fsdp / --t5_cpu', vgsim: '`t5=fsdp` / `t5=cpu`' },
  { flag: '--offload_model True (default on 1 GPU)', vgsim: '`offload` (models moved to the CPU when not in use; allowed on several GPUs without FSDP)' },
  { flag: '--convert_model_dtype (Wan2.2)', vgsim: '`--weight-dtype bf16`; without it (and always in Wan2.1 code) `fp32`' },
];

const BOOL = (v: string) => /^(true|1|yes|y)$/i.test(v) ? true : /^(false|0|no|n)$/i.test(v) ? false : undefined;

/**
 * Parses a launch line. `source` names where it came from in errors. Unknown generate.py flags that do not
 * change the cost (prompt, seed, save file, …) are accepted and ignored; unknown flags are errors.
 */
export function parseOfficialFlags(line: string, source = '--official'): OfficialRun {
  const issues: InputIssue[] = [];
  const bad = (message: string, hint?: string) => issues.push({ source, path: 'official', message, hint });
  const tokens = tokenize(line);
  // an empty line ran the script's defaults (A14B at 1280x720) as if they had been asked for
  if (tokens.length === 0) throw new InputError([{ source, path: 'official', message: 'expected a launch line, got an empty one', hint: 'e.g. "python generate.py --task t2v-A14B --size 1280*720"' }]);
  let world = 1;
  const opts = new Map<string, string | true>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'torchrun' || t === 'python' || t === 'python3' || t.endsWith('generate.py')) continue;
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(t);
    if (!m) {
      bad(`unexpected word "${t}" (flags start with --)`);
      continue;
    }
    const name = m[1]!.replace(/-/g, '_');
    let value: string | true | undefined = m[2];
    const takesValue = VALUED.has(name);
    if (value === undefined && takesValue) {
      const next = tokens[i + 1];
      if (next === undefined || next.startsWith('--')) {
        if (name === 'offload_model') value = 'True';
        else {
          bad(`--${name} needs a value`);
          continue;
        }
      } else {
        value = next;
        i++;
      }
    }
    if (name === 'nproc_per_node') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) bad(`--nproc_per_node must be a positive integer, got "${String(value)}"`);
      else world = n;
      continue;
    }
    if (TORCHRUN.has(name)) continue;
    if (!takesValue && !SWITCHES.has(name) && !IGNORED.has(name)) {
      bad(`unknown generate.py flag --${name}`, didYouMean(name, [...VALUED, ...SWITCHES, ...IGNORED].map(String)) ?? undefined);
      continue;
    }
    opts.set(name, value ?? true);
  }
  const taskName = String(opts.get('task') ?? 't2v-A14B');
  const task = OFFICIAL_TASKS[taskName];
  if (!task) bad(`--task ${taskName} is not modelled`, didYouMean(taskName, Object.keys(OFFICIAL_TASKS)) ?? `modelled tasks: ${Object.keys(OFFICIAL_TASKS).join(', ')}`);
  const request: OfficialRun['request'] = {};
  const size = opts.get('size');
  if (typeof size === 'string') {
    const s = /^(\d+)\*(\d+)$/.exec(size);
    if (!s) bad(`--size must be W*H such as 1280*720, got "${size}"`);
    else [request.width, request.height] = [Number(s[1]), Number(s[2])];
  }
  const int = (flag: string): number | undefined => {
    const v = opts.get(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) {
      bad(`--${flag} must be a positive integer, got "${String(v)}"`);
      return undefined;
    }
    return n;
  };
  request.frames = int('frame_num');
  request.steps = int('sample_steps');
  const shiftFlag = opts.get('sample_shift');
  const sampleShift = shiftFlag === undefined ? undefined : Number(shiftFlag);
  if (sampleShift !== undefined && !(Number.isFinite(sampleShift) && sampleShift > 0)) bad(`--sample_shift must be a positive number, got "${String(shiftFlag)}"`);
  if (task) request.image = task.image || opts.has('image');
  const plan: ParallelPlan = { ...SINGLE_GPU };
  const ulysses = int('ulysses_size') ?? 1;
  const ring = int('ring_size') ?? 1;
  if (ring > 1 && task?.code === 'wan2.2') bad('--ring_size exists only in the Wan2.1 code (Wan2.2 has Ulysses only)');
  plan.ulysses = ulysses;
  plan.ring = ring;
  plan.fsdp = opts.has('dit_fsdp');
  if (opts.has('t5_fsdp') && opts.has('t5_cpu')) bad('--t5_cpu only works without --t5_fsdp (generate.py)');
  plan.t5 = opts.has('t5_fsdp') ? 'fsdp' : opts.has('t5_cpu') ? 'cpu' : 'gpu';
  const offloadFlag = opts.get('offload_model');
  const offload = offloadFlag === undefined ? world === 1 : BOOL(String(offloadFlag));
  if (offload === undefined) bad(`--offload_model takes True or False, got "${String(offloadFlag)}"`);
  plan.offload = offload === true;
  if (world === 1 && (plan.fsdp || plan.t5 === 'fsdp')) bad('t5_fsdp and dit_fsdp are not supported in non-distributed environments (generate.py); launch with torchrun --nproc_per_node=N');
  if (world === 1 && ulysses * ring > 1) bad('sequence parallel is not supported in non-distributed environments (generate.py); launch with torchrun --nproc_per_node=N');
  if (world > 1 && ulysses * ring > 1 && ulysses * ring !== world) bad(`ulysses_size × ring_size (${ulysses * ring}) must equal the world size (--nproc_per_node=${world})`);
  if (world > 1 && ulysses * ring === 1) bad(`${world} processes without --ulysses_size run the same request ${world} times over; vgsim models one replica per GPU for that (use --gpus 1 and more replicas)`);
  const convert = opts.has('convert_model_dtype');
  if (convert && task?.code === 'wan2.1') bad('--convert_model_dtype exists only in the Wan2.2 code (Wan2.1 keeps the fp32 checkpoint)');
  const weightDtype: 'bf16' | 'fp32' = convert && !plan.fsdp ? 'bf16' : 'fp32';
  if (issues.length) throw new InputError(issues);
  const flags = [...opts].map(([k, v]) => (v === true ? `--${k}` : `--${k} ${v}`));
  if (world > 1) flags.unshift(`--nproc_per_node=${world}`);
  return { model: task!.model, code: task!.code, request, gpus: world, plan, weightDtype, flags, ...(sampleShift !== undefined ? { sampleShift } : {}) };
}

/** Flags that take a value. */
const VALUED = new Set(['task', 'size', 'frame_num', 'ckpt_dir', 'offload_model', 'ulysses_size', 'ring_size', 'save_file', 'prompt', 'prompt_extend_method', 'prompt_extend_model', 'prompt_extend_target_lang', 'base_seed', 'image', 'sample_solver', 'sample_steps', 'sample_shift', 'sample_guide_scale', 'src_root_path', 'refert_num', 'audio', 'num_clip', 'pose_video', 'infer_frames', 'lora_dir', 'quant']);
/** Flags without a value that change the run. */
const SWITCHES = new Set(['dit_fsdp', 't5_fsdp', 't5_cpu', 'convert_model_dtype']);
/** Switches that do not change the cost of a generation. */
const IGNORED = new Set(['use_prompt_extend', 'replace_flag', 'use_relighting_lora', 'start_from_ref', 'enable_tts']);
/** torchrun's own options (the world size is read from --nproc_per_node). */
const TORCHRUN = new Set(['nnodes', 'node_rank', 'master_addr', 'master_port', 'rdzv_backend', 'rdzv_endpoint', 'standalone']);

function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line.replace(/\\\n/g, ' ')))) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}
