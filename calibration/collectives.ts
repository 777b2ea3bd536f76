/**
 * The simulator's collective model against the multi-GPU measurements in calibration/collectives/
 * (calibration/nccl_bench.py). Prints markdown tables:
 *   1. every collective and size >= 1 MiB: measured time vs the alpha-beta model (measured curves off);
 *   2. a Ulysses attention layer (q/k/v all-to-alls, attention on the local heads, output all-to-all):
 *      measured vs predicted from the model's all-to-all and the single-GPU attention profile;
 *   3. FSDP all-gather beside a block's GEMMs: measured overlapped time vs perfect overlap and vs the
 *      contention factor κ (κ is the mean of these same rows: in-sample, shown for completeness).
 *
 *   npm run validate:collectives
 */
import { collectiveFiles, contentionSamples } from '../src/parallel/measured-collectives.ts';
import { Network } from '../src/parallel/network.ts';
import { DeviceModel } from '../src/perf/device.ts';
import { compareSpValidation, type SpValidationCase } from '../src/perf/validation.ts';
import { readdirSync, readFileSync } from 'node:fs';

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const us = (s: number) => (s * 1e6).toFixed(1);
const ms = (s: number) => (s * 1e3).toFixed(2);

for (const f of collectiveFiles()) {
  console.log(`## ${f.file}: ${f.gpu} on ${f.node}, groups of ${[...new Set(f.collectives.map((r) => r.ranks))].join(', ')} GPUs\n`);
  const model = new Network(f.node, { measured: false });
  console.log('| collective | GPUs | bytes | measured µs | measured bus GB/s | model µs | model error |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const errs: Record<string, number[]> = {};
  for (const r of f.collectives) {
    if (r.bytes < 2 ** 20) continue;
    const m = model.collective(r.kind, r.bytes, r.ranks).seconds;
    const e = m / r.seconds - 1;
    (errs[r.kind] ??= []).push(e);
    if (Math.log2(r.bytes) % 2 === 0) console.log(`| ${r.kind} | ${r.ranks} | ${r.bytes} | ${us(r.seconds)} | ${r.bus_gbs.toFixed(1)} | ${us(m)} | ${pct(e)} |`);
  }
  console.log('\nmodel error by collective (all sizes >= 1 MiB): ' + Object.entries(errs).map(([k, v]) => `${k} mean |e| ${pct(v.reduce((a, b) => a + Math.abs(b), 0) / v.length).slice(1)}, worst ${pct(v.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0))}`).join('; '));

  const device = new DeviceModel(f.gpu);
  const measuredNet = new Network(f.node);
  console.log('\n| Ulysses layer | GPUs | measured a2a ms (qkv+out) | model a2a ms | measured attention ms | profile attention ms | measured layer ms | predicted layer ms | error |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const u of f.ulysses) {
    const a2a = (net: Network) => 4 * net.collective('alltoall', u.a2a_bytes_per_rank, u.ranks).seconds;
    const attn = device.opTime({ kind: 'attention', name: 'attn', group: 'block', count: 1, batch: 1, heads: u.heads_per_rank, lq: u.tokens, lk: u.tokens, headDim: u.head_dim, kernel: 'cudnn', dtype: 'bf16' }).seconds;
    const predicted = a2a(model) + attn;
    const measuredA2a = u.a2a_qkv_s + u.a2a_out_s;
    console.log(`| ${u.tokens} tokens | ${u.ranks} | ${ms(measuredA2a)} | ${ms(a2a(model))} | ${ms(u.attention_s)} | ${ms(attn)} | ${ms(u.layer_s)} | ${ms(predicted)} | ${pct(predicted / u.layer_s - 1)} |`);
    void measuredNet;
  }
  console.log('\n(the measured all-to-all includes the transpose/contiguous copies around it, as in the Wan code; the model prices the copies separately as memory-bound ops of the block)');

  const kappas = contentionSamples(f);
  const kappa = kappas.reduce((a, b) => a + b, 0) / kappas.length;
  console.log('\n| FSDP overlap | GPUs | GEMMs ms | all-gather ms | overlapped ms | perfect overlap ms (error) | with κ ms (error) | κ of this row |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  f.fsdp_overlap.forEach((o, i) => {
    const perfect = Math.max(o.compute_s, o.allgather_s);
    const withK = perfect + kappa * Math.min(o.compute_s, o.allgather_s);
    console.log(`| ${o.tokens} tokens | ${o.ranks} | ${ms(o.compute_s)} | ${ms(o.allgather_s)} | ${ms(o.overlapped_s)} | ${ms(perfect)} (${pct(perfect / o.overlapped_s - 1)}) | ${ms(withK)} (${pct(withK / o.overlapped_s - 1)}) | ${kappas[i]!.toFixed(2)} |`);
  });
  console.log(`\nκ = ${kappa.toFixed(2)} (mean of the rows above; used for every overlapped collective)\n`);
}

// ---- end to end: whole Ulysses forwards (calibration/validate_sp.py), never used for fitting ----
const spFiles = readdirSync('calibration/validation').filter((f) => f.includes('-ulysses')).sort();
for (const file of spFiles) {
  const d = JSON.parse(readFileSync(`calibration/validation/${file}`, 'utf8')) as { gpu: string; node: string; cases: SpValidationCase[] };
  console.log(`## calibration/validation/${file}: whole DiT forwards under Ulysses (validation, not fitted)\n`);
  console.log('| case | measured s | predicted s | error | predicted s, pure-model collectives, κ = 0.6 | error | measured GB | predicted GB | error |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const withMeasured = compareSpValidation(d.gpu, d.node, d.cases);
  const pure = compareSpValidation(d.gpu, d.node, d.cases, { measuredCollectives: false });
  withMeasured.forEach((r, i) => {
    const p = pure[i]!;
    console.log(`| ${r.case} | ${r.measured_s.toFixed(3)} | ${r.predicted_s.toFixed(3)} | ${pct(r.time_error)} | ${p.predicted_s.toFixed(3)} | ${pct(p.time_error)} | ${r.measured_gb.toFixed(1)} | ${r.predicted_gb.toFixed(1)} | ${pct(r.memory_error)} |`);
  });
  console.log('');
}
