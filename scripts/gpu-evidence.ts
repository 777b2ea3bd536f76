/**
 * The per-GPU evidence ledger (src/perf/gpu-evidence.ts): every held-out comparison re-run, summarised per GPU.
 *   npm run evidence             print the summary
 *   npm run evidence -- --write  also rewrite calibration/evidence/gpus.json (test/gpu-evidence.test.ts checks it)
 */
import { writeFileSync } from 'node:fs';
import { heldOutRows } from '../src/perf/held-out.ts';
import { buildLedger, evidenceLine, LEDGER_FILE } from '../src/perf/gpu-evidence.ts';

const ledger = buildLedger(heldOutRows());
for (const g of ledger.gpus) console.log(evidenceLine(g));
if (process.argv.includes('--write')) {
  writeFileSync(LEDGER_FILE, JSON.stringify(ledger, null, 1) + '\n');
  console.log(`\n${LEDGER_FILE}: ${ledger.rows.length} held-out rows over ${ledger.gpus.filter((g) => g.time.n + g.memory.n > 0).length} GPUs`);
}
