import { loadEngineValidation } from '../src/perf/engine-validation.ts';
import * as V from '../src/perf/engine-validation.ts';
const ids = process.argv.slice(2);
const f = loadEngineValidation('calibration/published/engines-e2e.json');
for (const r of f.rows.filter((x) => ids.includes(x.id))) {
  const e = (V as any).estimateRow(r);
  console.log(r.id, r.value, { total: e.total_s, den: e.denoise_s, fwd: e.forward_s, te: e.text_encode_s, ve: e.vae_encode_s, vd: e.vae_decode_s, tr: e.transfer_s, peak: e.peak_memory_gb });
  console.log('  stages', e.stages.map((s: any) => `${s.name}=${(s.total_s ?? s.seconds)?.toFixed?.(1)}`).join(' '));
  console.log('  transfers', JSON.stringify(e.memory?.transfers ?? '').slice(0, 300));
}
