/**
 * README blocks generated from the code and its validations, so the README cannot drift: each block sits
 * between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; `npm run readme` rewrites them and
 * test/readme.test.ts fails when one is stale. A generator returns the block's Markdown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { compareValidation, loadValidation } from '../perf/validation.ts';
import { comparePublished, loadPublishedTable, summarize } from '../perf/published.ts';
import { OFFICIAL_FLAG_MAP } from '../parallel/official-flags.ts';
import { estimate, RUNTIME_OVERHEAD_GB } from '../perf/estimate.ts';
import { getModel } from '../workload/request.ts';
import { parseOfficialFlags } from '../parallel/official-flags.ts';
import { packagePath } from '../package-files.ts';
import { familiesMeasured, modelTable, validateFamilies } from './readme-families.ts';
import { thermalMeasuredBlock } from './thermal-measured-block.ts';
import { mixedModelsBlock } from './readme-mixed.ts';
import { pricesBlock, tcoIsoBlock } from './readme-prices.ts';
import { sizeHardwareBlock } from './readme-size.ts';
import { recommendationAuditBlock } from './recommendation-audit.ts';
import { compareEngines, loadEngineValidation, summarizeEngines } from '../perf/engine-validation.ts';
import { compareEngineBenchFiles, ENGINE_BENCH_FILES, engineKernelsMarkdown, loadEngineBench, summarizeKernelRows } from '../perf/engine-kernels.ts';
import { compareStacks } from '../sweep/stack-comparison.ts';
import { ENGINES, ENGINE_IDS } from '../engines/profiles.ts';
import { engineCells, MARKDOWN_CELLS } from '../engines/describe.ts';
import { coolingBlock } from './cooling-block.ts';
import { offloadStreamBlock } from './offload-stream-block.ts';
import { limitsBlock } from './limits-block.ts';
import { postprocessBlock, postprocessCheckBlock } from './postprocess-block.ts';
import { defaultCaption, defaultVideo, headline, validateSp } from './headline-blocks.ts';
import { renderTranscripts } from './readme-commands.ts';
import { renderFigures } from './inline-figures.ts';
import { evidenceLedger, HELD_OUT_SETS } from '../perf/gpu-evidence.ts';
import { dgxPower, dgxPowerLibrary, powerCaption } from './power-block.ts';
import { powerCapBlock, powerCapLibrary } from './power-cap-block.ts';
import { costCaption } from './cost-caption-block.ts';
import { gpuFitBlock } from './gpu-fit-block.ts';
import { scalingBlock } from './scaling-block.ts';
import { interconnectBlock, interconnectLibrary } from './interconnect-block.ts';
import { memoryCaption, memoryClaimLibrary } from './memory-block.ts';
import { coldStartLibrary } from './cold-start-block.ts';
import { productionDayLibrary } from './production-day-block.ts';
import { optimizationsLibrary } from './optimizations-block.ts';
import { failureDrillLibrary } from './failure-drill-block.ts';
import { disaggregatedLibrary } from './disaggregated-block.ts';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** The H100 validation set against the model (`npm run validate:model`). */
function validateModel(): string {
  const rows = compareValidation('h100-sxm', loadValidation(packagePath('calibration/validation/h100-sxm.json')).cases);
  const out = ['| case | measured s | predicted s | time error | measured GB | predicted GB | memory error |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) out.push(`| ${r.case} | ${r.measured_s.toFixed(3)} | ${r.predicted_s.toFixed(3)} | ${pct(r.time_error)} | ${r.measured_gb.toFixed(2)} | ${r.predicted_gb.toFixed(2)} | ${pct(r.memory_error)} |`);
  const t = rows.filter((r) => r.kind !== 'text_encode').map((r) => Math.abs(r.time_error));
  const m = rows.map((r) => Math.abs(r.memory_error));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  out.push('', `DiT and VAE (${t.length} cases): mean |time error| ${(100 * mean(t)).toFixed(1)}% (max ${(100 * Math.max(...t)).toFixed(1)}%); all ${rows.length} cases: mean |memory error| ${(100 * mean(m)).toFixed(1)}% (max ${(100 * Math.max(...m)).toFixed(1)}%).`);
  return out.join('\n');
}

/** The official Wan2.2 table through the model (`npm run validate:published`). */
function validatePublished(): string {
  const table = loadPublishedTable(packagePath('calibration/published/wan22-comp-effic.json'));
  const rows = comparePublished(table);
  const s = summarize(rows);
  const ieee = summarize(comparePublished(table, { fp32Matmul: 'ieee' }));
  const out = ['| GPU | model | size | GPUs | vgsim plan | published s | vgsim s | error | published GiB | vgsim GiB | error |', '|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    out.push(`| ${r.gpu_label} | ${r.task}${r.mode ? ` ${r.mode.toUpperCase()}` : ''} | ${r.size} | ${r.gpus} | \`${r.plan}\` | ${r.published_s.toFixed(1)} | ${r.vgsim_s.toFixed(1)} | ${pct(r.time_error)} | ${r.published_gib.toFixed(1)} | ${r.vgsim_gib.toFixed(1)} | ${pct(r.memory_error)} |`);
  }
  out.push('', `${rows.length} cases: total time median |error| **${(100 * s.time.median).toFixed(1)}%**, max **${(100 * s.time.max).toFixed(1)}%**; peak memory median |error| **${(100 * s.memory.median).toFixed(1)}%**, max **${(100 * s.memory.max).toFixed(1)}%** (targets: 7% / 15% and 3% / 8%).`);
  out.push('', '| GPU | time median | time max | memory median | memory max |', '|---|---:|---:|---:|---:|');
  for (const [g, v] of Object.entries(s.byGpu)) out.push(`| ${g} | ${(100 * v.time.median).toFixed(1)}% | ${(100 * v.time.max).toFixed(1)}% | ${(100 * v.memory.median).toFixed(1)}% | ${(100 * v.memory.max).toFixed(1)}% |`);
  out.push('', `With PyTorch's default IEEE fp32 matmuls instead of TF32 the same cases come out at median ${(100 * ieee.time.median).toFixed(1)}%, max ${(100 * ieee.time.max).toFixed(1)}% (the 8-GPU rows most: the per-token fp32 time projection runs on the full sequence on every rank).`);
  return out.join('\n');
}

/** The official generate.py flags and what vgsim makes of them. */
function officialFlags(): string {
  const out = ['| official flag | vgsim |', '|---|---|'];
  for (const r of OFFICIAL_FLAG_MAP) out.push(`| \`${r.flag}\` | ${r.vgsim} |`);
  const line = 'torchrun --nproc_per_node=8 generate.py --task t2v-A14B --size 1280*720 --ckpt_dir ./Wan2.2-T2V-A14B --ulysses_size 8 --dit_fsdp --t5_fsdp';
  const run = parseOfficialFlags(line);
  const e = estimate({ model: getModel(run.model), gpu: 'h100-sxm', gpus: run.gpus, plan: run.plan, request: run.request, options: { weightDtype: run.weightDtype } });
  // what the command reads and prices, in prose: its output is a whole estimate (stage, memory and collective tables)
  out.push('', `For example, \`vgsim estimate --gpu h100-sxm --official "${line}"\` reads that launch line as ${e.model} on ${e.gpus}× ${e.gpu}, parallel \`${e.parallel}\`, ` +
    `${e.request.width}x${e.request.height}, and prices it at ${e.total_s.toFixed(1)} s in total, peak ${e.peak_memory_gb.toFixed(1)} GB per GPU (+${RUNTIME_OVERHEAD_GB} GB runtime); the rest of its output is the stage, memory and collective tables of any \`vgsim estimate\`.`);
  return out.join('\n');
}

/** Published engine timings through the model (`npm run validate:engines`). */
function validateEngines(): string {
  const file = loadEngineValidation(packagePath('calibration/published/engines-e2e.json'));
  const rows = compareEngines(file.rows);
  const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const out = ['| id | engine | model | GPUs | settings | metric | published | vgsim | error | confidence |', '|---|---|---|---|---|---|---:|---:|---:|---|'];
  for (const r of rows) out.push(`| ${r.id} | ${r.engine} | ${r.model} | ${r.gpus}× ${r.gpu} | ${r.settings} | ${r.metric} | ${num(r.published)} | ${num(r.vgsim)} | ${pct(r.error)} | ${r.confidence} |`);
  const line = (what: string, xs: typeof rows) => {
    const s = summarizeEngines(xs);
    return `| ${what} | ${s.n} | ${(100 * s.median).toFixed(1)}% | ${s.within10} (${((100 * s.within10) / s.n).toFixed(0)}%) | ${s.within25} (${((100 * s.within25) / s.n).toFixed(0)}%) |`;
  };
  out.push('', '| rows | n | median \\|error\\| | within 10% | within 25% |', '|---|---:|---:|---:|---:|');
  out.push(line('all', rows), line('every setting stated', rows.filter((r) => r.confidence === 'stated')), line('a setting inferred', rows.filter((r) => r.confidence === 'inferred')), line('low confidence (settings unknown)', rows.filter((r) => r.confidence === 'low')));
  out.push(line('official engine', rows.filter((r) => r.engine === 'official')), line('production engines', rows.filter((r) => r.engine !== 'official')));
  out.push('', `Excluded (${file.excluded.length} groups): ${file.excluded.map((x) => `${x.ids.join(', ')} — ${x.reason}`).join('; ')}.`);
  return out.join('\n');
}

/** The official path against production stacks on the same traffic (scenarios/engines.yaml). */
function engineStacks(): string {
  const slo = 'p95<=10m';
  const rows = compareStacks(packagePath('scenarios/engines.yaml'), slo);
  const out = [`| stack (scenarios/engines.yaml variant) | engine | replica layout | one video | nodes for ${slo.replace('<=', ' ≤ ')} | GPUs | p95 | $/video | changes the video |`, '|---|---|---|---:|---:|---:|---:|---:|---|'];
  for (const r of rows) out.push(`| ${r.variant} | ${r.engine} | \`${r.parallel}\` | ${r.service_s.toFixed(1)} s | ${r.nodes ?? '–'} | ${r.gpus ?? '–'} | ${r.p95_s !== null ? `${r.p95_s.toFixed(0)} s` : '–'} | ${r.usd_per_video !== null ? `$${r.usd_per_video.toFixed(3)}` : '–'} | ${r.approximate ? `yes${r.quality_psnr_db !== null ? ` (PSNR ${r.quality_psnr_db} dB)` : ' (no published quality)'}` : 'no'} |`);
  const off = rows[0]!;
  const lossless = rows.filter((r) => !r.approximate && r !== off && r.gpus !== null).sort((a, b) => a.gpus! - b.gpus!)[0];
  const best = rows.filter((r) => r.gpus !== null).sort((a, b) => a.gpus! - b.gpus! || a.service_s - b.service_s)[0]!;
  out.push('', `On the same 120 videos/h of 720P, the official path needs **${off.gpus} H100s** for p95 ≤ 10 min` +
    (lossless ? `; the best stack that leaves the video unchanged (${lossless.variant}) needs **${lossless.gpus}** (${(off.gpus! / lossless.gpus!).toFixed(2)}× fewer)` : '') +
    `; the cheapest stack here (${best.variant}) needs **${best.gpus}** (${(off.gpus! / best.gpus!).toFixed(1)}× fewer), at $${best.usd_per_video!.toFixed(3)} per video against $${off.usd_per_video!.toFixed(3)}` +
    // the cheapest may make another video: say so in the sentence, not only in the table's last column
    (best.approximate ? `, and it changes the video (${best.quality_psnr_db !== null ? `published PSNR ${best.quality_psnr_db} dB against the full model` : 'its quality unknown: no published figure'}).` : '.'));
  return out.join('\n');
}

/** What each engine runs (`vgsim list engines`). */
function engineList(): string {
  const out = ['| engine | DiT block kernels | attention (default on Hopper) | compile | parallel for Wan | CFG | offload | off the GPU by default | VAE | umT5 (* default) | FP8 / INT8 | step caches | sampler shift (1.3B / 14B / I2V-480P / A14B) | distill | LoRA | read at |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const id of ENGINE_IDS) {
    const c = engineCells(ENGINES[id], MARKDOWN_CELLS);
    out.push(`| ${id} | ${[c.kernels, c.attention, c.compile, c.parallel, c.cfg, c.offload, c.offGpu, c.vae, c.umt5, c.quant, c.caches, c.shift, c.distill, c.lora, c.source].join(' | ')} |`);
  }
  return out.join('\n');
}

/** README: the engines_bench.py comparison in one paragraph (the tables are calibration/README.md's). */
function engineKernelsSummary(): string {
  const all = compareEngineBenchFiles((file) => loadEngineBench(packagePath(file)));
  const rows = all.filter((r) => r.gpu === 'h100-sxm');
  const s = (sel: typeof rows) => summarizeKernelRows(sel);
  const f = (x: number) => `${(100 * x).toFixed(1)}%`;
  const pcts = (sel: typeof rows) => sel.map((r) => pct(r.error)).join(', ');
  const checks = rows.filter((r) => r.role === 'check');
  const sec = (name: string) => s(checks.filter((r) => r.section === name));
  const block = checks.filter((r) => r.section === 'block');
  const cal = rows.filter((r) => r.role === 'calibration');
  const long = (prefix: string) => s(checks.filter((r) => r.case.startsWith(prefix) && !r.case.includes('m=4096')));
  const wholeSage = (sel: typeof rows) => sel.filter((r) => /^sage[12]_full_call/.test(r.case) && r.section === 'attention' && !r.case.endsWith('L=1024'));
  const h200 = all.filter((r) => r.gpu === 'h200' && r.role === 'check');
  const h200Files = ENGINE_BENCH_FILES.filter((x) => x.gpu === 'h200');
  const heads = h200.filter((r) => r.section === 'sage_shapes' && r.case.startsWith('sage2') && r.case.endsWith('d=128'));
  const d64 = h200.filter((r) => r.section === 'sage_shapes' && r.case.startsWith('sage2_full_call') && r.case.endsWith('d=64'));
  return `Held-out checks on the H100 SXM against ${ENGINE_BENCH_FILES.filter((x) => x.gpu === 'h100-sxm').map((x) => `\`${x.file}\``).join(' and ')} (\`npm run validate:engine-kernels\`): ${checks.length} cases, median |error| ${f(s(checks).median)}, ` +
    `${s(checks).within10} within 10% — GEMMs (bf16, FP8) ${f(sec('gemm').median)}, attention (SDPA cuDNN and flash, FP8 input passes) ${f(sec('attention').median)}, RoPE chains ${f(sec('rope').median)}, ` +
    `one Wan 14B block eager and compiled ${pcts(block)}, and with its ten linears quantised, compiled (FP8 per token, FP8 per-tensor dynamic, INT8 per token) ${pcts(checks.filter((r) => r.section === 'block_fp8' && !r.case.startsWith('bf16')))} (beside the bf16 block of the same runs ${pcts(checks.filter((r) => r.section === 'block_fp8' && r.case.startsWith('bf16')))}); ` +
    `at Wan's long sequences (m ≥ 32,760) per-token activation quantisation ${f(long('per_token').median)} and dynamic per-tensor eager ${f(long('per_tensor_dynamic_fp8_eager').median)} ` +
    `(its divide by a 0-dim CUDA scale runs PyTorch's non-vectorised loop), but per-tensor compiled ${f(long('per_tensor_dynamic_fp8_compiled').median)} too fast. ` +
    `Calibration rows: INT8 GEMMs on Hopper (${cal.filter((r) => r.section === 'gemm').length} rows, median |error| ${f(s(cal.filter((r) => r.section === 'gemm')).median)}), the full-tensor reduction (${cal.filter((r) => r.section === 'reduce').length} \`max_eager\` rows) and SageAttention's kernels and input kernels on Hopper (${cal.filter((r) => r.section === 'sage_split').length} \`sage_split\` rows, which set its rates); SageAttention's whole calls, held out: ${s(wholeSage(checks)).n} at 4k–76k tokens, median |error| ${f(s(wholeSage(checks)).median)}. ` +
    `On an H200 (${h200Files.map((x) => `\`${x.file}\``).join(', ')}; nothing set from them but the head-dim-64 Sage kernel rows and the ${all.filter((r) => r.gpu === 'h200' && r.role === 'calibration' && (r.section === 'quant' || r.section === 'rope')).length} compiled quantisation and RoPE rows, which chose how Inductor's Triton kernels are carried: per SM, not by the bandwidth, \`src/perf/sm-bound-carry.ts\`): ${h200.length} checks, median |error| ${f(s(h200).median)}, ${s(h200).within10} within 10%; ` +
    `one Wan 14B block eager and compiled ${pcts(h200.filter((r) => r.section === 'block'))}; SageAttention's whole calls at 4k–76k tokens (the H100's kernel ratios carried to the H200's cuDNN rate) median |error| ${f(s(wholeSage(h200)).median)}, at most ${f(Math.max(...wholeSage(h200).map((r) => Math.abs(r.error))))}; ` +
    `at Ulysses head counts (20, 10, 5 of 40) ${pcts(heads)}; at head dim 64 (CogVideoX's and LTX-Video's shapes) the whole calls ${pcts(d64)}.`;
}

/** What each GPU's numbers rest on: the committed evidence ledger (test/gpu-evidence.test.ts keeps it current). */
function gpuEvidenceBlock(): string {
  const l = evidenceLedger()!;
  const p = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
  const sg = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}%`);
  const withCases = l.gpus.filter((g) => g.time.n + g.memory.n + g.loose > 0);
  const out = ['| GPU | profile | time cases (multi-GPU) | median \\|error\\| | median error | 10th…90th percentile error | within 10% | max \\|error\\| | memory cases | memory median \\|error\\| | rows per set |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|'];
  for (const g of withCases) {
    out.push(`| ${g.gpu} | ${g.profile} | ${g.time.n} (${g.multi_gpu_time}) | ${p(g.time.median_abs)} | ${sg(g.time.median)} | ${g.time.p10 === null ? '–' : `${sg(g.time.p10)}…${sg(g.time.p90)}`} | ${g.time.within_10} | ${p(g.time.max_abs)} | ${g.memory.n} | ${p(g.memory.median_abs)} | ${HELD_OUT_SETS.filter((s) => g.sets[s]).map((s) => `${s} ${g.sets[s]}`).join(', ')} |`);
  }
  const none = l.gpus.filter((g) => g.time.n + g.memory.n + g.loose === 0).map((g) => `\`${g.gpu}\``);
  out.push('', `No held-out measurement at all, and no measured profile (rates scaled from the H100's): ${none.join(', ')}. Their numbers are unvalidated extrapolations, and every output that names one says so.`);
  out.push('', 'The same rows per serving engine and per model family, over every GPU (an engine with no fully specified timing rests on the cost model alone; its loosely specified rows are still counted):', '');
  out.push('| scope | id | time cases | median \\|error\\| | median error | within 10% | loose | GPUs |', '|---|---|---:|---:|---:|---:|---:|---|');
  for (const [kind, list] of [['engine', l.engines], ['family', l.families]] as const) {
    for (const x of list) out.push(`| ${kind} | ${x.id} | ${x.time.n} | ${p(x.time.median_abs)} | ${sg(x.time.median)} | ${x.time.within_10} | ${x.loose} | ${x.gpus.join(', ')} |`);
  }
  return out.join('\n');
}

export const CALIBRATION_README_BLOCKS: Record<string, () => string> = {
  'engine-kernels': () => engineKernelsMarkdown((file) => loadEngineBench(packagePath(file))),
};

export const README_BLOCKS: Record<string, () => string> = {
  'engine-kernels-summary': engineKernelsSummary,
  'validate-model': validateModel,
  'validate-published': validatePublished,
  'gpu-evidence': gpuEvidenceBlock,
  'official-flags': officialFlags,
  'model-families': modelTable,
  'validate-families': validateFamilies,
  'families-measured': familiesMeasured,
  'mixed-models': mixedModelsBlock,
  prices: pricesBlock,
  'size-hardware': () => sizeHardwareBlock(),
  'recommendation-audit': () => recommendationAuditBlock(),
  'tco-iso': tcoIsoBlock,
  'engine-list': engineList,
  'offload-stream': offloadStreamBlock,
  'validate-engines': validateEngines,
  'engine-stacks': engineStacks,
  cooling: () => coolingBlock(),
  'thermal-measured': () => thermalMeasuredBlock(),
  limits: limitsBlock,
  postprocess: () => postprocessBlock(),
  'postprocess-check': postprocessCheckBlock,
  headline,
  'validate-sp': validateSp,
  'default-video': defaultVideo,
  'default-caption': defaultCaption,
  'power-caption': () => powerCaption(),
  'dgx-power': () => dgxPower(),
  'library-dgx-power': () => dgxPowerLibrary(),
  'power-cap': () => powerCapBlock(),
  'library-power-cap': () => powerCapLibrary(),
  'cost-caption': costCaption,
  'gpu-fit': () => gpuFitBlock(),
  'scaling-one-node': () => scalingBlock(),
  interconnects: interconnectBlock,
  'library-interconnects': interconnectLibrary,
  'memory-caption': memoryCaption,
  'library-memory': memoryClaimLibrary,
  'library-cold-start': coldStartLibrary,
  'library-production-day': productionDayLibrary,
  'library-optimizations': optimizationsLibrary,
  'library-failure-drill': failureDrillLibrary,
  'library-disaggregated': disaggregatedLibrary,
};

const blockRe = (name: string) => new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);

/** README text with every generated block rewritten; throws if a block's markers are missing. */
export function renderReadme(text: string, blocks = README_BLOCKS): string {
  let out = text;
  for (const [name, gen] of Object.entries(blocks)) {
    const re = blockRe(name);
    if (!re.test(out)) throw new Error(`README.md has no <!-- generated:${name} --> … <!-- /generated:${name} --> block`);
    const body = gen();
    out = out.replace(re, (_m, a: string, b: string) => `${a}${body}\n${b}`);
  }
  return out;
}

/** Blocks whose README text differs from what the generator gives now. */
export function staleBlocks(text: string, blocks = README_BLOCKS): string[] {
  return Object.entries(blocks).filter(([name, gen]) => {
    const m = blockRe(name).exec(text);
    return !m || text.slice(m.index + m[1]!.length, m.index + m[0].length - m[2]!.length) !== `${gen()}\n`;
  }).map(([name]) => name);
}

/** Rewrites the generated blocks, the prose's inline figures (inline-figures.ts) and the command transcripts (src/docs/readme-commands.ts). */
export function writeReadme(file = packagePath('README.md')): void {
  writeFileSync(file, renderTranscripts(renderFigures(renderReadme(readFileSync(file, 'utf8')))));
  const cal = packagePath('calibration/README.md');
  writeFileSync(cal, renderReadme(readFileSync(cal, 'utf8'), CALIBRATION_README_BLOCKS));
}
