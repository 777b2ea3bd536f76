/**
 * Serving-engine kernels measured by calibration/engines_bench.py (calibration/engines/*.json) against the
 * prices vgsim gives the same work, with the op model an estimate uses:
 *
 *  gemm   one GEMM op of that m, n, k and dtype (bf16, fp8, int8) on the device (device.ts);
 *  quant  the activation-quantisation ops of a quantised linear on [m, 5120] bf16 (block-groups.ts
 *         activationQuantization): per-token (one pass: the sgl-kernel kernel, set against the compiled torch
 *         version, which inductor makes one pass), dynamic per-tensor eager (abs+max, divide/clamp/cast) and
 *         compiled ('inductor': a reduction and a scale-and-cast);
 *  rope   RoPE on q and k of one block as dit-kernels.ts builds it: the official rope_apply (the harness's
 *         variant, with its clone, as engines_bench.py runs it), LightX2V's July 2025 chain
 *         (`lightx2v-2507`), and the compiled idealisation's one fp32 pass (official `fused`);
 *  block  one Wan block (part 'block' of dit.ts, as validate_gpu.py's dit_block: fp32 x, per-token e0, bf16
 *         weights, cuDNN attention) eager, and compiled as `--compile` prices the official engine (`fused`).
 *
 * Which rows are held-out checks and which were used to set a rate (calibration) is stated per row: a row
 * whose measurement set the constant it is compared with says `calibration`.
 */
import { readFileSync } from 'node:fs';
import { DeviceModel } from './device.ts';
import { int8GemmRatio } from './linear-quant-rates.ts';
import { priceStage } from './stage-cost.ts';
import { StageBuilder, type Dtype } from '../workload/ops.ts';
import { attentionCall } from '../workload/attention-kernels.ts';
import { activationQuantization, type LinearQuant } from '../workload/block-groups.ts';
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
  model?: string;
  tokens?: number;
  width?: number;
  height?: number;
  frames?: number;
  attention?: string;
}

export interface EngineBenchFile {
  gpu_name: string;
  software?: Record<string, unknown>;
  attention?: BenchRow[];
  gemm?: BenchRow[];
  quant?: BenchRow[];
  rope?: BenchRow[];
  block?: BenchRow[];
}

/**
 * check: held out, nothing in vgsim was set from it; calibration: its measurement set the rate it is compared
 * with; bound: the bench times a slower stand-in (torch ops for SageAttention's Triton passes), so vgsim's price
 * should land at or below it.
 */
export type KernelRole = 'check' | 'calibration' | 'bound';

export interface EngineKernelRow {
  section: 'attention' | 'gemm' | 'quant' | 'rope' | 'block';
  case: string;
  measured_s: number;
  predicted_s: number;
  /** predicted / measured − 1. */
  error: number;
  role: KernelRole;
  /** What vgsim's side is (the op model priced). */
  priced_as: string;
}

/**
 * Measured cases the comparison leaves out, and why. The `attention` section's sdpa rows of the committed run
 * called F.scaled_dot_product_attention without the backend context (wan_reference.set_attention_backend only
 * names a backend for wan_flash_attention), so "sdpa_cudnn" and "sdpa_flash" both timed SDPA's default choice
 * (equal within 0.2–2.7% at every length): kept once, as the default backend priced as cuDNN (its rates match
 * the profile's cuDNN within 5%); engines_bench.py now applies the backend.
 */
export const LEFT_OUT: readonly { cases: string; why: string }[] = [
  { cases: 'attention sdpa_flash', why: 'the committed run did not apply the backend: it timed SDPA\'s default, the same kernel as its sdpa_cudnn rows' },
  { cases: 'attention sage2, fa3 (bf16 and FP8 kernels)', why: 'skipped on the device: sageattention and flash_attn_interface not installed' },
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

/** Seconds of a stage built by `build` on the device (priceStage: GPU time, or the host's issue time if longer). */
function stageSeconds(dev: DeviceModel, build: (b: StageBuilder) => void): number {
  const b = new StageBuilder();
  build(b);
  return priceStage(dev, b.ops).seconds;
}

const GEMM_DTYPE: Record<string, Dtype> = { bf16: 'bf16', fp8_scaled_mm: 'fp8', int8_int_mm: 'int8' };

/** What each measured quant case is priced as: the activation scheme and the block style that selects its kernels. */
const QUANT_CASES: Record<string, { activation: LinearQuant['activation']; style: BlockStyle; as: string }> = {
  per_token_fp8_compiled: { activation: 'token', style: 'lightx2v', as: 'per-token quantisation, one pass (sgl-kernel)' },
  per_tensor_dynamic_fp8_eager: { activation: 'tensor-dynamic', style: 'diffusers', as: 'dynamic per-tensor, eager (abs+max 2 kernels, divide/clamp/cast 3)' },
  per_tensor_dynamic_fp8_compiled: { activation: 'tensor-dynamic', style: 'inductor', as: 'dynamic per-tensor, compiled (amax + scale-and-cast)' },
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
export function compareEngineKernels(f: EngineBenchFile, gpuId = 'h100-sxm'): EngineKernelRow[] {
  const dev = new DeviceModel(gpuId, { sustained: false, launch: 'eager' });
  const rows: EngineKernelRow[] = [];
  const push = (section: EngineKernelRow['section'], _name: string, label: string, measured: number, predicted: number, as: string, role?: KernelRole) =>
    rows.push({ section, case: label, measured_s: measured, predicted_s: predicted, error: predicted / measured - 1, role: role ?? 'check', priced_as: as });

  for (const r of (f.attention ?? []).filter(ok)) {
    const L = r.L!;
    const call = { name: 'attn', batch: 1, heads: 40, lq: L, lk: L, headDim: 128 };
    if (r.name === 'sdpa_cudnn') {
      const t = dev.opTime({ kind: 'attention', group: 'attention', count: 1, ...call, kernel: 'cudnn', dtype: 'bf16' });
      push('attention', r.name, `sdpa (default backend) L=${L}`, r.s, t.seconds, 'cudnn attention op (profile rate)');
    } else if (r.name === 'xdit_fa3_fp8_input_passes' || r.name === 'sage2_input_passes_torch') {
      const kernel = r.name === 'sage2_input_passes_torch' ? 'sage2' : 'fa3-fp8';
      const b = new StageBuilder();
      attentionCall(b, { ...call, kernel }, {});
      const s = priceStage(dev, b.ops.filter((o) => o.kind === 'elementwise')).seconds;
      push('attention', r.name, `${r.name} L=${L}`, r.s, s, kernel === 'sage2' ? 'SageAttention2 input passes (its Triton/CUDA kernels; the bench runs torch stand-ins)' : 'xDiT FP8 input passes (per-tensor quant + contiguous of q, k, v)', kernel === 'sage2' ? 'bound' : undefined);
    }
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
    const s = stageSeconds(dev, (b) => activationQuantization(b, q.activation, q.style, 'x', r.m!, r.k!, 2, 'x.q'));
    push('quant', r.name!, `${r.name} m=${r.m} k=${r.k}`, r.s, s, q.as);
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
    });
    push('rope', r.name!, `${r.name} ${r.model} ${r.width}x${r.height}x${r.frames} (${r.tokens} tokens)`, r.s, s, c.as);
  }
  for (const r of (f.block ?? []).filter(ok)) {
    const compiled = r.name!.startsWith('compiled');
    const fwd = buildDitForward(ditFor(r.model!), {
      tokens: r.tokens!, batch: 1, kernel: r.attention === 'flash' ? 'fa2' : 'cudnn', linearDtype: 'bf16', fused: compiled,
      ulysses: 1, ring: 1, tp: 1, weightsResident: false, part: 'block', ropeVariant: 'harness',
    });
    push('block', r.name!, `${r.name} ${r.model} ${r.width}x${r.height}x${r.frames} ${r.attention}`, r.s, priceStage(dev, fwd.builder.ops).seconds,
      compiled ? 'official block, --compile (fused chains)' : 'official block, eager');
  }
  return rows;
}

/** Median |error| and how many rows land within 10% and 25%. */
export function summarizeKernelRows(rows: readonly { error: number }[]): { n: number; median: number; within10: number; within25: number } {
  const a = rows.map((r) => Math.abs(r.error)).sort((x, y) => x - y);
  const median = a.length === 0 ? 0 : a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
  return { n: a.length, median, within10: a.filter((x) => x <= 0.1).length, within25: a.filter((x) => x <= 0.25).length };
}

/** The comparison as Markdown: one table, then the summary by role and section, then what was left out. */
export function engineKernelsMarkdown(file: string, f: EngineBenchFile = loadEngineBench(file), gpuId = 'h100-sxm'): string {
  const rows = compareEngineKernels(f, gpuId);
  const ms = (s: number) => (s * 1e3 >= 100 ? (s * 1e3).toFixed(1) : (s * 1e3).toFixed(3));
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const sw = f.software ?? {};
  const out = [
    `\`${file}\`: ${f.gpu_name}, torch ${sw.torch ?? '?'}, cuDNN ${sw.cudnn ?? '?'}, driver ${sw.driver ?? '?'}; vgsim's ${gpuId} profile, burst clocks, eager launches.`,
    '',
    '| section | case | measured (ms) | vgsim (ms) | error | role | vgsim prices it as |',
    '|---|---|---:|---:|---:|---|---|',
    ...rows.map((r) => `| ${r.section} | ${r.case} | ${ms(r.measured_s)} | ${ms(r.predicted_s)} | ${pct(r.error)} | ${r.role} | ${r.priced_as} |`),
    '',
  ];
  const line = (label: string, sel: readonly EngineKernelRow[]) => {
    const s = summarizeKernelRows(sel);
    return `- ${label}: ${s.n} rows, median |error| ${(100 * s.median).toFixed(1)}%, within 10%: ${s.within10}, within 25%: ${s.within25}`;
  };
  for (const role of ['check', 'calibration', 'bound'] as const) {
    const sel = rows.filter((r) => r.role === role);
    if (!sel.length) continue;
    out.push(line(`${role} rows`, sel));
    if (role === 'check') for (const sec of ['attention', 'gemm', 'quant', 'rope', 'block'] as const) {
      const s2 = sel.filter((r) => r.section === sec);
      if (s2.length) out.push(`  ${line(sec, s2)}`);
    }
    if (role === 'bound') out.push(`  - vgsim at or below the stand-in's time: ${sel.filter((r) => r.predicted_s <= r.measured_s).length} of ${sel.length}`);
  }
  out.push('', `Left out: ${LEFT_OUT.map((x) => `${x.cases} (${x.why})`).join('; ')}.`);
  return out.join('\n');
}
