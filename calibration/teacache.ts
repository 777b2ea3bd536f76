/**
 * TeaCache's published Wan2.1 timings → the fraction of DiT block time left per threshold.
 *   npm run derive:teacache [-- --check]
 * Reads calibration/published/teacache-wan21.json and writes src/engines/teacache-table.ts (see
 * src/perf/teacache-derive.ts for the formula); --check only says whether the file is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { deriveTeacache, renderTeacacheTable } from '../src/perf/teacache-derive.ts';

const data = JSON.parse(readFileSync('calibration/published/teacache-wan21.json', 'utf8'));
const text = renderTeacacheTable(deriveTeacache(data.runs, data.source));
const file = 'src/engines/teacache-table.ts';
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8') === text;
  console.log(current ? `${file} is current` : `${file} is stale: run npm run derive:teacache`);
  process.exit(current ? 0 : 1);
}
writeFileSync(file, text);
console.log(`wrote ${file}`);
