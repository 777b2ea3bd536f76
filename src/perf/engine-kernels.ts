/**
 * Serving-engine kernels measured by calibration/engines_bench.py (calibration/engines/*.json) against the
 * prices vgsim gives the same work, with the op model an estimate uses:
 *
 *  gemm   one GEMM op of that m, n, k and dtype (bf16, fp8, int8) on the device (device.ts);
 *  quant  the activation-quantisation ops of a quantised linear on [m, 5120] bf16 (block-groups.ts
 *         activationQuantization): per-token (one pass: the sgl-kernel kernel, set against the compiled torch
 *         version, which inductor makes one pass), dynamic per-tensor eager (abs, full-tensor max, scale,
 *         divide in PyTorch's non-vectorised loop, clamp, cast: perTensorDynamicEager) and compiled ('inductor':
 *         a Triton split reduction at its own rate, the scale, a scale-and-cast). The split reduction's rate was
 *         set from the kernel profile of the compiled call at m = 4,096 and 32,760 (full-reduction.ts), so those
 *         compiled rows say `calibration`; m = 75,600 is the check;
 *  reduce the parts of the eager per-tensor path alone: `max_eager` (a full-tensor max of a ready |x|) is the
 *         CALIBRATION of the 'reduce_full' rate (full-reduction.ts); abs+max and divide/clamp/cast are checks, and
 *         a per-row amax is priced as the 'reduce' kind (the copy rate: no profile row measures it);
 *  rope   RoPE on q and k of one block as dit-kernels.ts builds it: the official rope_apply (the harness's
 *         variant, with its clone, as engines_bench.py runs it), LightX2V's July 2025 chain
 *         (`lightx2v-2507`), and the compiled idealisation's one fp32 pass (official `fused`);
 *  block  one Wan block (part 'block' of dit.ts, as validate_gpu.py's dit_block: fp32 x, per-token e0, bf16
 *         weights, cuDNN attention) eager, and compiled as `--compile` prices the official engine (`fused`);
 *  block_fp8  the same block with its ten linears quantised (engines_bench.py QuantLinear: FP8 or INT8, per-token or
 *         per-tensor dynamic activations), compiled, priced as `--dtype fp8|int8` with that activation quantisation
 *         on all three groups (`fused`), beside the bf16 block compiled in the same run; the eager FP8 block
 *         quantises with separate torch ops where vgsim prices the one-pass kernel, so it is a bound.
 *
 * Which rows are held-out checks and which were used to set a rate (calibration) is stated per row: a row
 * whose measurement set the constant it is compared with says `calibration`.
 */
import { readFileSync } from 'node:fs';
import { DeviceModel } from './device.ts';
import { builtinProfile, REFERENCE_GPU } from './profile.ts';
import { int8GemmRatio } from './linear-quant-rates.ts';
import { INDUCTOR_FULL_REDUCTION_GBS } from './full-reduction.ts';
import { SAGE_INPUT_CALIBRATION_LENGTHS } from './sage-input-rates.ts';
import { priceStage } from './stage-cost.ts';
import { StageBuilder, type Dtype, type Op } from '../workload/ops.ts';
import { attentionCall } from '../workload/attention-kernels.ts';
import { activationQuantization, perTensorDynamicEager, type LinearQuant } from '../workload/block-groups.ts';
import { blockSites, type BlockStyle } from '../workload/dit-kernels.ts';
import { buildDitForward } from '../workload/dit.ts';
import { WAN_MODELS, type DitSpec } from '../workload/models.ts';

interface BenchRow {
  name?: string;
  s?: number;
  skipped?: string;
  error?: string;
  m?: number;
  n?: number;
  k?: number;
  L?: number;
  heads?: number;
  head_dim?: number;
  model?: string;
  tokens?: number;
  width?: number;
  height?: number;
  frames?: number;
  attention?: string;
}

export interface EngineBenchFile {
  gpu_name: string;
  measured_at?: string;
  software?: Record<string, unknown>;
  attention?: BenchRow[];
  gemm?: BenchRow[];
  quant?: BenchRow[];
  rope?: BenchRow[];
  block?: BenchRow[];
  block_fp8?: BenchRow[];
  reduce?: BenchRow[];
  sage_split?: BenchRow[];
  sage_shapes?: BenchRow[];
  /** engines_bench.py applied the SDPA backend named by each sdpa_* row (runs after the backend fix). */
  sdpa_backend_applied?: boolean;
}

/**
 * check: held out, nothing in vgsim was set from it; calibration: its measurement set the rate it is compared
 * with; bound: the bench times a slower stand-in (torch ops for SageAttention's Triton passes), so vgsim's price
 * should land at or below it.
 */
export type KernelRole = 'check' | 'calibration' | 'bound';

export interface EngineKernelRow {
  section: 'attention' | 'sage_split' | 'sage_shapes' | 'gemm' | 'quant' | 'rope' | 'block' | 'block_fp8' | 'reduce';
  /** The engines_bench.py file the measurement comes from. */
  file?: string;
  /** The catalog GPU it ran on (and is priced on). */
  gpu: string;
  case: string;
  measured_s: number;
  predicted_s: number;
  /** predicted / measured − 1. */
  error: number;
  role: KernelRole;
  /** What vgsim's side is (the op model priced). */
  priced_as: string;
}

/** One committed engines_bench.py run: the catalog GPU it ran on, and whether its rows set any rate. */
export interface EngineBenchRun {
  file: string;
  /** Catalog id of the GPU it ran on: its rows are priced on that GPU. */
  gpu: string;
  sdpaBackendApplied: boolean;
  /** True: nothing was set from this run, every row is a held-out check but those that chose a rule for its GPU (compareEngineKernels `chose`). */
  heldOut?: boolean;
}

/**
 * The engines_bench.py runs compared. On the H100 SXM (the calibrated profile's GPU): the first run's sdpa rows
 * called F.scaled_dot_product_attention without the backend context (wan_reference.set_attention_backend only
 * names a backend for wan_flash_attention), so "sdpa_cudnn" and "sdpa_flash" both timed SDPA's default choice
 * (equal within 0.2–2.7% at every length): kept once, as the default backend priced as cuDNN. The second run
 * (engines_bench.py with the backend applied, `--sections attention,reduce,quant`) times each backend. On an H200
 * (2026-12-06, the same SageAttention build, torch and driver): the same sections again; from them only the
 * head-dim-64 Sage kernel rows and the compiled quantisation and RoPE rows chose a rule (marked calibration).
 */
export const ENGINE_BENCH_FILES: readonly EngineBenchRun[] = [
  { file: 'calibration/engines/h100-sxm.json', gpu: 'h100-sxm', sdpaBackendApplied: false },
  { file: 'calibration/engines/h100-sxm-attention-reduce.json', gpu: 'h100-sxm', sdpaBackendApplied: true },
  { file: 'calibration/engines/h100-sxm-block-fp8.json', gpu: 'h100-sxm', sdpaBackendApplied: true },
  { file: 'calibration/engines/h100-sxm-block-quant.json', gpu: 'h100-sxm', sdpaBackendApplied: true },
  { file: 'calibration/engines/h100-sxm-sage.json', gpu: 'h100-sxm', sdpaBackendApplied: true },
  { file: 'calibration/engines/h100-sxm-sage-split.json', gpu: 'h100-sxm', sdpaBackendApplied: true },
  { file: 'calibration/engines/h200.json', gpu: 'h200', sdpaBackendApplied: true, heldOut: true },
  { file: 'calibration/engines/h200-sage-split.json', gpu: 'h200', sdpaBackendApplied: true, heldOut: true },
  { file: 'calibration/engines/h200-sage-shapes.json', gpu: 'h200', sdpaBackendApplied: true },
];

/** Measured cases the comparison leaves out, and why. */
export const LEFT_OUT: readonly { cases: string; why: string }[] = [
  { cases: 'attention sdpa_flash of h100-sxm.json', why: 'that run did not apply the backend: it timed SDPA\'s default, the same kernel as its sdpa_cudnn rows (h100-sxm-attention-reduce.json times flash itself)' },
  { cases: 'attention sage2 of the first files; fa3 (bf16 and FP8 kernels) of every file', why: 'skipped on the device: sageattention (until h100-sxm-sage.json, built from source) and flash_attn_interface not installed' },
  { cases: 'quant per_token_fp8_eager', why: 'no engine runs per-token quantisation as eager torch ops (vgsim prices the one-pass kernel, set against the compiled row)' },
];

export function loadEngineBench(file: string): EngineBenchFile {
  return JSON.parse(readFileSync(file, 'utf8')) as EngineBenchFile;
}

function ditFor(model: string): DitSpec {
  const m = WAN_MODELS.find((x) => x.id === model);
  if (!m) throw new Error(`engines bench row for unknown model ${model}`);
  return { ...m.dit, perTokenTimestep: true };
}

const ok = (r: BenchRow): r is BenchRow & { s: number } => !r.skipped && !r.error && typeof r.s === 'number' && r.s > 0;

/** Seconds of `ops` on the device (priceStage: GPU time, or the host's issue time if longer). */
function benchSeconds(dev: DeviceModel, ops: readonly Op[]): number {
  return priceStage(dev, ops).seconds;
}

/** Seconds of a stage built by `build` on the device (benchSeconds); `compiled`: its elementwise ops are Inductor's Triton kernels. */
function stageSeconds(dev: DeviceModel, build: (b: StageBuilder) => void, compiled = false): number {
  const b = new StageBuilder();
  b.compiled = compiled;
  build(b);
  return benchSeconds(dev, b.ops);
}

/** What each piece of engines_bench.py's sage_split section is priced as: the ops of attentionCall (by name, `kernel` the attention op). */
const SAGE_PIECES: Record<string, { ops: string[]; as: string }> = {
  smooth_k: { ops: ['sage_smooth_k'], as: 'k.mean over the sequence (a reduce pass over K)' },
  sage2_quant_qk: { ops: ['sage_quant_qk'], as: 'Q, K to INT8 per thread (two Triton kernels, their measured rate)' },
  sage2_pad_v: { ops: ['sage_pad_v'], as: 'V padded to a multiple of 128 tokens (a copy)' },
  sage2_quant_v: { ops: ['sage_quant_v'], as: 'per_channel_fp8: V transposed and padded, then to FP8 (two kernels, their measured rate)' },
  sage2_kernel: { ops: ['kernel'], as: "the kernel alone at vgsim's sage2 rate" },
  sage1_v_fp16: { ops: ['sage_v_fp16'], as: "V to fp16 (a copy in PyTorch's non-vectorised loop)" },
  sage1_quant_qk: { ops: ['sage_quant_qk'], as: 'Q, K to INT8 per block (two Triton kernels, their measured rate)' },
  sage1_kernel: { ops: ['kernel'], as: "the kernel alone at vgsim's sage1 rate" },
};

const GEMM_DTYPE: Record<string, Dtype> = { bf16: 'bf16', fp8_scaled_mm: 'fp8', int8_int_mm: 'int8' };

/** What each measured quant case is priced as: the activation scheme and the block style that selects its kernels. */
const QUANT_CASES: Record<string, { activation: LinearQuant['activation']; style: BlockStyle; as: string }> = {
  per_token_fp8_compiled: { activation: 'token', style: 'lightx2v', as: 'per-token quantisation, one pass (compiled: a Triton kernel)' },
  per_tensor_dynamic_fp8_eager: { activation: 'tensor-dynamic', style: 'diffusers', as: 'dynamic per-tensor, eager (abs, full-tensor max, scale, divide in the non-vectorised loop, clamp, cast)' },
  per_tensor_dynamic_fp8_compiled: { activation: 'tensor-dynamic', style: 'inductor', as: 'dynamic per-tensor, compiled (split amax at its measured rate, scale, scale-and-cast)' },
};

/** The rope cases: which block style's RoPE site prices them. */
const ROPE_CASES: Record<string, { style: BlockStyle; fused: boolean; as: string }> = {
  official_rope_apply_qk: { style: 'official', fused: false, as: 'official rope_apply (harness variant), composite rope_wan rate' },
  lightx2v_2507_qk: { style: 'lightx2v-2507', fused: false, as: 'LightX2V July 2025 RoPE (lightx2v-2507 sites)' },
  fused_fp32_qk_compiled: { style: 'official', fused: true, as: 'compiled idealisation: one fp32 pass (official fused)' },
};


/**
 * Every measured case of an engines_bench.py file that vgsim prices, against its price on `gpuId`
 * (sustained: false — the bench times short bursts, as the profile's microbenchmarks do; eager launches).
 */
export function compareEngineKernels(f: EngineBenchFile, gpuId = 'h100-sxm', o: { sdpaBackendApplied?: boolean; heldOut?: boolean } = {}): EngineKernelRow[] {
  const dev = new DeviceModel(gpuId, { sustained: false, launch: 'eager' });
  const backendApplied = o.sdpaBackendApplied ?? f.sdpa_backend_applied ?? false;
  const rows: EngineKernelRow[] = [];
  // a held-out run's rows are checks even where the same case of a calibration run set a rate
  // (`chose`: a row that chose a rule for this GPU, calibration even in a held-out run)
  const push = (section: EngineKernelRow['section'], _name: string, label: string, measured: number, predicted: number, as: string, role?: KernelRole, chose = false) =>
    rows.push({ section, gpu: gpuId, case: label, measured_s: measured, predicted_s: predicted, error: predicted / measured - 1, role: chose ? 'calibration' : o.heldOut && role === 'calibration' ? 'check' : role ?? 'check', priced_as: as });
  // the compiled (Triton) quantisation and RoPE rows of a GPU priced from another's profile chose how Inductor's kernels are carried (sm-bound-carry.ts)
  const carried = !builtinProfile(gpuId);

  for (const r of (f.attention ?? []).filter(ok)) {
    const L = r.L!;
    const call = { name: 'attn', batch: 1, heads: 40, lq: L, lk: L, headDim: 128 };
    const sdpa = r.name === 'sdpa_cudnn' ? 'cudnn' : r.name === 'sdpa_flash' ? 'fa2' : undefined;
    if (sdpa && (backendApplied || sdpa === 'cudnn')) {
      const t = dev.opTime({ kind: 'attention', group: 'attention', count: 1, ...call, kernel: sdpa, dtype: 'bf16' });
      const label = !backendApplied ? `sdpa (default backend) L=${L}` : `sdpa ${sdpa === 'cudnn' ? 'cuDNN' : 'flash'} L=${L}`;
      push('attention', r.name!, label, r.s, t.seconds, `${sdpa} attention op (profile ${sdpa === 'cudnn' ? 'cudnn' : 'flash'} rate)`);
    } else if (/^sage[12]_full_call(_nhd)?$/.test(r.name ?? '')) {
      // SageAttention's whole call (its own input kernels and the attention kernel), as an estimate prices the call:
      // held out (the kernel and input-kernel rates were set from the sage_split pieces)
      const kernel = r.name!.startsWith('sage2') ? 'sage2' : 'sage1';
      const b = new StageBuilder();
      attentionCall(b, { ...call, kernel }, {});
      push('attention', r.name!, `${r.name} L=${L}`, r.s, benchSeconds(dev, b.ops), `${kernel} call: input passes + the kernel at vgsim's measured ${kernel} rates (quantized-attention.ts, sage-input-rates.ts)`);
    } else if (r.name === 'xdit_fa3_fp8_input_passes' || r.name === 'sage2_input_passes_torch') {
      const kernel = r.name === 'sage2_input_passes_torch' ? 'sage2' : 'fa3-fp8';
      const b = new StageBuilder();
      attentionCall(b, { ...call, kernel }, {});
      const s = benchSeconds(dev, b.ops.filter((o) => o.kind === 'elementwise'));
      push('attention', r.name, `${r.name} L=${L}`, r.s, s, kernel === 'sage2' ? 'SageAttention2 input passes (its Triton/CUDA kernels; the bench runs torch stand-ins)' : 'xDiT FP8 input passes (to fp32, abs, full max, divide in the non-vectorised loop, cast; contiguous) of q, k, v', kernel === 'sage2' ? 'bound' : undefined);
    }
  }
  // SageAttention's call in its pieces: each piece against the op attentionCall prices it as
  for (const r of (f.sage_split ?? []).filter(ok)) {
    const kernel = r.name!.startsWith('sage1') ? 'sage1' : 'sage2';
    const piece = SAGE_PIECES[r.name!];
    if (!piece) continue;
    const b = new StageBuilder();
    attentionCall(b, { name: 'attn', batch: 1, heads: 40, lq: r.L!, lk: r.L!, headDim: 128, kernel }, {});
    const ops = b.ops.filter((o) => piece.ops.some((n) => (n === 'kernel' ? o.kind === 'attention' : o.name === `attn.${n}`)));
    // the kernels' rows set vgsim's Hopper sage rates (quantized-attention.ts SAGE_H100_MEASURED), the INT8/FP8
    // input kernels' rows at 4,096, 16,384 and 75,600 tokens their rates (sage-input-rates.ts); the rest are checks
    const calibrated = piece.ops.includes('kernel') || (SAGE_INPUT_CALIBRATION_LENGTHS.includes(r.L!) && piece.ops.some((n) => n === 'sage_quant_qk' || n === 'sage_quant_v'));
    const role: KernelRole = calibrated ? 'calibration' : 'check';
    push('sage_split', r.name!, `${r.name} L=${r.L}`, r.s, benchSeconds(dev, ops), `${kernel}: ${piece.as}`, role);
  }
  // other head counts (Ulysses shards) and head dim 64, all held out: the Sage rates were measured at 40 × 128
  for (const r of (f.sage_shapes ?? []).filter(ok)) {
    const shape = { name: 'attn', batch: 1, heads: r.heads!, lq: r.L!, lk: r.L!, headDim: r.head_dim! };
    const label = `${r.name} h=${r.heads} L=${r.L} d=${r.head_dim}`;
    const b = new StageBuilder();
    attentionCall(b, { ...shape, kernel: r.name === 'sdpa_cudnn' ? 'cudnn' : 'sage2' }, {});
    const ops = r.name === 'sage2_kernel' ? b.ops.filter((o) => o.kind === 'attention') : b.ops;
    const as = r.name === 'sdpa_cudnn' ? 'cudnn attention op (head-dim factor of the FA3 paper)' : r.name === 'sage2_kernel' ? 'the sage2 kernel alone' : 'sage2 call: input passes + the kernel';
    // the head-dim-64 kernel rows chose sage2's head-dim ratio (cuDNN's, its reference: attention-head-dim.ts)
    push('sage_shapes', r.name!, label, r.s, benchSeconds(dev, ops), as, r.name === 'sage2_kernel' && r.head_dim !== 128 ? 'calibration' : 'check');
  }
  for (const r of (f.gemm ?? []).filter(ok)) {
    const dtype = GEMM_DTYPE[r.name!];
    if (!dtype) continue;
    const t = dev.opTime({ kind: 'gemm', name: 'gemm', group: 'gemm', count: 1, m: r.m!, n: r.n!, k: r.k!, dtype, batch: 1 });
    // the INT8 rows set HOPPER_INT8_OVER_FP8 (linear-quant-rates.ts): calibration where that ratio applies
    const calibrated = dtype === 'int8' && int8GemmRatio(dev.gpu).measured;
    push('gemm', r.name!, `${r.name} m=${r.m} n=${r.n} k=${r.k}`, r.s, t.seconds, calibrated ? 'fp8 GEMM op × the measured INT8/FP8 ratio of its (n, k)' : `${dtype} GEMM op`, calibrated ? 'calibration' : 'check');
  }
  for (const r of (f.quant ?? []).filter(ok)) {
    const q = QUANT_CASES[r.name!];
    if (!q) continue;
    const compiled = r.name!.endsWith('_compiled');
    const s = stageSeconds(dev, (b) => activationQuantization(b, q.activation, q.style, 'x', r.m!, r.k!, 2, 'x.q'), compiled);
    const calibrated = r.name === 'per_tensor_dynamic_fp8_compiled' && INDUCTOR_FULL_REDUCTION_GBS.some(([bytes]) => bytes === r.m! * r.k! * 2);
    push('quant', r.name!, `${r.name} m=${r.m} k=${r.k}`, r.s, s, q.as, calibrated ? 'calibration' : undefined, compiled && carried);
  }
  for (const r of (f.reduce ?? []).filter(ok)) {
    const E = r.m! * r.k!;
    const eager = new StageBuilder();
    perTensorDynamicEager(eager, 'x', E, 2, { outputs: [['x.q', E, 'activations']] });
    const parts = (...names: string[]) => benchSeconds(dev, eager.ops.filter((op) => names.some((n) => op.name === `x.${n}`)));
    const label = `${r.name} m=${r.m} k=${r.k}`;
    if (r.name === 'max_eager') push('reduce', r.name, label, r.s, dev.opTime({ kind: 'elementwise', name: 'max', group: 'quant', count: 1, ew: 'reduce_full', bytes: E * 2, kernels: 1 }).seconds, 'full-tensor reduction (full-reduction.ts, set from these rows)', 'calibration');
    else if (r.name === 'abs_max_eager') push('reduce', r.name, label, r.s, parts('abs', 'max'), 'abs (copy rate) + full-tensor max');
    else if (r.name === 'scale_cast_eager') push('reduce', r.name, label, r.s, parts('divide', 'clamp', 'cast'), 'divide (non-vectorised loop: 0-dim CUDA scale) + clamp + cast');
    else if (r.name === 'amax_lastdim_eager') push('reduce', r.name, label, r.s, dev.opTime({ kind: 'elementwise', name: 'amax_rows', group: 'quant', count: 1, ew: 'reduce', bytes: E * 2 + r.m! * 2, kernels: 1 }).seconds, 'per-row reduction (the reduce kind: copy rate)');
  }
  for (const r of (f.rope ?? []).filter(ok)) {
    const c = ROPE_CASES[r.name!];
    if (!c) continue;
    const dit = ditFor(r.model!);
    const rows_ = r.tokens!;
    const s = stageSeconds(dev, (b) => {
      const sites = blockSites({ b, style: c.style, fused: c.fused, T: rows_ * dit.dim, headDim: dit.headDim, perTokenModulation: true, ropeVariant: 'harness', tp: 1 });
      sites.rope('self_attn.rope_q', 'q', rows_, dit.dim, 'qr');
      sites.rope('self_attn.rope_k', 'k', rows_, dit.dim, 'kr');
    }, c.fused);
    push('rope', r.name!, `${r.name} ${r.model} ${r.width}x${r.height}x${r.frames} (${r.tokens} tokens)`, r.s, s, c.as, undefined, c.fused && carried);
  }
  // one Wan block as the bench ran it (validate_gpu.py's dit_block inputs), with its linears quantised if `quant`
  const blockSeconds = (r: BenchRow, compiled: boolean, quant?: LinearQuant) => benchSeconds(dev, buildDitForward(ditFor(r.model!), {
    tokens: r.tokens!, batch: 1, kernel: r.attention === 'flash' ? 'fa2' : 'cudnn', linearDtype: 'bf16', fused: compiled,
    ulysses: 1, ring: 1, tp: 1, weightsResident: false, part: 'block', ropeVariant: 'harness', ...(quant ? { linearQuant: quant } : {}),
  }).builder.ops);
  const blockCase = (r: BenchRow) => `${r.name} ${r.model} ${r.width}x${r.height}x${r.frames} ${r.attention}`;
  for (const r of (f.block ?? []).filter(ok)) {
    const compiled = r.name!.startsWith('compiled');
    push('block', r.name!, blockCase(r), r.s, blockSeconds(r, compiled), compiled ? 'official block, --compile (fused chains)' : 'official block, eager');
  }
  for (const r of (f.block_fp8 ?? []).filter(ok)) {
    const compiled = r.name!.includes('compiled');
    const q = /^(fp8|int8)_(token|tensor)_/.exec(r.name!);
    const quant: LinearQuant | undefined = q ? { dtype: q[1] as 'fp8' | 'int8', activation: q[2] === 'token' ? 'token' : 'tensor-dynamic', groups: ['self', 'cross', 'ffn'] } : undefined;
    const as = `${quant ? `block, ${quant.dtype.toUpperCase()} linears with ${quant.activation === 'token' ? 'per-token' : 'per-tensor dynamic'} activations` : 'official block'}, ${compiled ? '--compile (fused chains)' : 'eager'}`;
    push('block_fp8', r.name!, blockCase(r), r.s, blockSeconds(r, compiled, quant), as, quant && !compiled ? 'bound' : 'check');
  }
  return rows;
}

/** Median |error| and how many rows land within 10% and 25%. */
export function summarizeKernelRows(rows: readonly { error: number }[]): { n: number; median: number; within10: number; within25: number } {
  const a = rows.map((r) => Math.abs(r.error)).sort((x, y) => x - y);
  const median = a.length === 0 ? 0 : a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  return { n: a.length, median, within10: a.filter((x) => x <= 0.1).length, within25: a.filter((x) => x <= 0.25).length };
}

/** Every file of ENGINE_BENCH_FILES compared (rows carry their file); `read` resolves a repository path. */
export function compareEngineBenchFiles(read: (file: string) => EngineBenchFile = loadEngineBench, files: readonly EngineBenchRun[] = ENGINE_BENCH_FILES): EngineKernelRow[] {
  return files.flatMap((x) => compareEngineKernels(read(x.file), x.gpu, x).map((r) => ({ ...r, file: x.file })));
}

const SECTIONS = ['attention', 'sage_split', 'sage_shapes', 'gemm', 'quant', 'reduce', 'rope', 'block', 'block_fp8'] as const;

/**
 * The comparison as Markdown: one table per file, then the summary by role and section over all files, then
 * what was left out. `files`: the files to compare (default ENGINE_BENCH_FILES).
 */
export function engineKernelsMarkdown(read: (file: string) => EngineBenchFile = loadEngineBench, files: readonly EngineBenchRun[] = ENGINE_BENCH_FILES): string {
  const ms = (s: number) => (s * 1e3 >= 100 ? (s * 1e3).toFixed(1) : (s * 1e3).toFixed(3));
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const out: string[] = [];
  const all: EngineKernelRow[] = [];
  for (const x of files) {
    const f = read(x.file);
    const rows = compareEngineKernels(f, x.gpu, x);
    all.push(...rows);
    const sw = f.software ?? {};
    out.push(
      `\`${x.file}\`: ${f.gpu_name}, torch ${sw.torch ?? '?'}, cuDNN ${sw.cudnn ?? '?'}, driver ${sw.driver ?? '?'}, measured ${f.measured_at ?? '?'}; vgsim ${builtinProfile(x.gpu) ? `on the ${x.gpu} profile` : `on the ${x.gpu}, the ${REFERENCE_GPU} profile carried`}, burst clocks, eager launches${x.heldOut ? '; every row held out' : ''}.`,
      '',
      '| section | case | measured (ms) | vgsim (ms) | error | role | vgsim prices it as |',
      '|---|---|---:|---:|---:|---|---|',
      ...rows.map((r) => `| ${r.section} | ${r.case} | ${ms(r.measured_s)} | ${ms(r.predicted_s)} | ${pct(r.error)} | ${r.role} | ${r.priced_as} |`),
      '',
    );
  }
  const line = (label: string, sel: readonly EngineKernelRow[]) => {
    const s = summarizeKernelRows(sel);
    return `- ${label}: ${s.n} rows, median |error| ${(100 * s.median).toFixed(1)}%, within 10%: ${s.within10}, within 25%: ${s.within25}`;
  };
  if (files.length > 1) out.push(`Over the ${files.length} files:`, '');
  for (const role of ['check', 'calibration', 'bound'] as const) {
    const sel = all.filter((r) => r.role === role);
    if (!sel.length) continue;
    out.push(line(`${role} rows`, sel));
    if (role === 'check') {
      for (const sec of SECTIONS) {
        const s2 = sel.filter((r) => r.section === sec);
        if (s2.length) out.push(`  ${line(sec, s2)}`);
      }
      const gpus = [...new Set(sel.map((r) => r.gpu))];
      if (gpus.length > 1) for (const g of gpus) out.push(`  ${line(`on ${g}`, sel.filter((r) => r.gpu === g))}`);
    }
    if (role === 'bound') out.push(`  - vgsim at or below the stand-in's time: ${sel.filter((r) => r.predicted_s <= r.measured_s).length} of ${sel.length}`);
  }
  out.push('', `Left out: ${LEFT_OUT.map((x) => `${x.cases} (${x.why})`).join('; ')}.`);
  return out.join('\n');
}
