/**
 * The output of `vgsim size`: the ranked options as text, CSV rows, and size.html with the charts
 * (report/charts/size.ts) on vgsim's page (report/html.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SizeResult, SizeRow } from '../studies/size.ts';
import { formatObjectiveValue, parseSlo } from '../studies/objectives.ts';
import { table, fmtSeconds, pct } from './table.ts';
import { toCsv, toJson } from './output.ts';
import { escapeHtml, figure, htmlPage, scrollTable as htmlTable, writeSpecCharts } from './html.ts';
import { sizeCharts } from './charts/size.ts';
import { priceAsOf, priceBasisLabel, priceLines, pricesTable, PRICES_CAPTION, uniquePrices } from './prices.ts';
import { bestOnValidated, evidenceCaveat, evidenceLineOf, gpuEvidence, isValidated, scopeLine } from '../perf/gpu-evidence.ts';
import { makeDirs } from '../make-dirs.ts';

export const money = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : `$${x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
export const sec = (x: number | null | undefined) => (x === null || x === undefined ? '-' : fmtSeconds(x));
export const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

/** The objectives' values of an option next to their targets: "p95 40.2 min (<= 45.0 min)". */
export function objectivesAt(res: SizeResult, r: SizeRow): string {
  return res.objectives.map((text) => {
    const term = parseSlo(text)[0]!;
    const v = r.values?.[text] ?? null;
    return `${text.replace(/(<=|>=).*$/, '').replace(/\.$/, '')} ${formatObjectiveValue(term, v)} (${term.op} ${formatObjectiveValue(term, term.value)})`;
  }).join(', ');
}

/** A replica's layout in the pick line: "ulysses=4", and a single GPU without parallelism as "1 GPU each", not "none". */
const layoutWords = (parallel: string) => (parallel === 'none' ? '1 GPU each' : parallel);

/** The pick, with its objectives next to it; or why there is none. */
export function sizePick(res: SizeResult): string {
  const best = res.rows.find((r) => r.rank === 1);
  if (!best) return `no recommendation: ${res.reason ?? 'no option meets the objectives'}`;
  const ev = gpuEvidence(best.gpu);
  const caveat = ev ? evidenceCaveat(ev) : null;
  // a search the simulation bound cut short has not sized every option: the pick is the cheapest found, not proven
  const tight = best.tight ? ` [memory ${best.tight}]` : '';
  const line = `cheapest ${res.bound_hit ? `found (the simulation bound, ${res.max_sims}, stopped the search before every option was sized: raise --max-sims) ` : ''}meeting ${res.objectives.join(', ')} with nothing lost: ${best.nodes} x ${best.node} (${best.replicas} replicas of ${layoutWords(best.parallel)}, ${best.gpus} GPUs) at ${money(best.usd_per_month)}/month, ${money(best.usd_per_video, 3)}/video; ${objectivesAt(res, best)}${caveat ? ` [${caveat}]` : ''}${tight}`;
  if (isValidated(best.gpu)) return line;
  // the pick rests on nothing measured: name the cheapest ranked option that something measured checks
  const v = bestOnValidated(res.rows);
  return `${line}\n${v ? `cheapest among GPUs with held-out measurements: #${v.rank} ${v.nodes} x ${v.node} (${v.replicas} replicas of ${layoutWords(v.parallel)}, ${v.gpus} GPUs) at ${money(v.usd_per_month)}/month, ${money(v.usd_per_video, 3)}/video; ${objectivesAt(res, v)}` : 'no ranked option runs on a GPU with held-out measurements'}`;
}

/** What the options' numbers rest on, one line per GPU and one per engine other than the official code: the text's "evidence:" lines, the JSON's evidence_lines. */
export function sizeEvidenceLines(res: SizeResult): string[] {
  const engines = [...new Set(res.rows.map((r) => r.engine))].filter((e) => e !== 'official');
  return [...[...new Set(res.rows.map((r) => r.gpu))].map((g) => evidenceLineOf(g)), ...engines.map((e) => scopeLine('engine', e))];
}

/** The document of `vgsim size --json` and size.json: the search's result and what its numbers rest on. */
export function sizeDocument(res: SizeResult): SizeResult & { evidence_lines: string[] } {
  return { ...res, evidence_lines: sizeEvidenceLines(res) };
}

export function sizeText(res: SizeResult, wallS?: number): string {
  const out: string[] = [];
  out.push(`scenario ${res.scenario}: ${res.model} at ${res.rate_per_h.toFixed(1)} videos/h offered${res.rate_scale !== 1 ? ` (x${res.rate_scale.toPrecision(4)} the scenario rate)` : ''}; objectives ${res.objectives.join(', ')}, nothing dropped or failed; ${res.basis} cost; ${fmtSeconds(res.trial_duration_s)} simulated per trial`);
  const ranked = res.rows.filter((r) => r.rank !== null);
  const rest = res.rows.filter((r) => r.rank === null);
  out.push(`${res.rows.length} options sized in ${res.simulations} simulations${wallS !== undefined ? ` (${wallS.toFixed(1)} s)` : ''}; ${ranked.length} meet the objectives and are ranked by $/month${rest.length ? `, ${rest.length} not (listed below with the reason)` : ''}; * = Pareto-optimal in ($/month, p95)`);
  out.push('');
  if (ranked.length) {
    out.push(table(
      ['#', 'node type', 'GPUs/replica', 'parallel', 'attention', 'replicas', 'nodes', 'GPUs', 'p95', 'SLO attainment', 'utilization', 'facility kWh/video', '$/video', '$/month', 'note'],
      ranked.map((r) => [
        `${r.rank}${r.pareto ? '*' : ''}`, r.node, r.gpus_per_replica, r.parallel, r.attention, r.replicas, r.nodes, r.gpus,
        sec(r.latency_s?.p95), pct(r.slo_attainment), pct(r.utilization), num(r.kwh_per_video, 3), money(r.usd_per_video, 3), money(r.usd_per_month), r.note,
      ]),
    ));
    out.push('');
  }
  out.push(sizePick(res));
  // what each node type's numbers rest on (perf/gpu-evidence.ts)
  for (const l of sizeEvidenceLines(res)) out.push(`evidence: ${l}`);
  if (rest.length) {
    out.push('', 'not ranked:');
    for (const r of rest) out.push(`  ${r.label}: ${r.reason ?? r.note}`);
  }
  const prices = uniquePrices(res.rows.map((r) => r.price));
  if (prices.length) out.push('', 'prices (one node as a whole system; [n] = source below):', ...priceLines(prices));
  if (res.skipped.length) {
    out.push('', 'skipped:');
    for (const s of res.skipped) out.push(`  ${s.node}${s.parallel ? ` ${s.parallel}` : ''}: ${s.reason}`);
  }
  for (const n of res.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

export function sizeCsvRows(res: SizeResult): Record<string, unknown>[] {
  return res.rows.map((r) => ({
    rank: r.rank, pareto: r.pareto, feasible: r.feasible, node: r.node, gpu: r.gpu, gpus_per_replica: r.gpus_per_replica, parallel: r.parallel, attention: r.attention, replicas: r.replicas, nodes: r.nodes, gpus: r.gpus,
    status: r.status, minimal: r.minimal, tight: r.tight, p50_s: r.latency_s?.p50, p95_s: r.latency_s?.p95, p99_s: r.latency_s?.p99, slo_attainment: r.slo_attainment, utilization: r.utilization,
    throughput_per_h: r.throughput_per_h, kwh_per_video: r.kwh_per_video, usd_per_video: r.usd_per_video, usd_per_month: r.usd_per_month, usd_per_gpu_hour: r.usd_per_gpu_hour,
    capex_usd: r.capex_usd, node_price_usd: r.price?.usd ?? null, price_basis: r.price ? priceBasisLabel(r.price) : null, price_as_of: r.price ? priceAsOf(r.price) : null, price_is_lower_bound: r.price ? r.price.lower_bound.length > 0 : null, est_throughput_per_gpu_h: r.est_throughput_per_gpu_h, simulations: r.trials.length, note: r.note, reason: r.reason,
  }));
}

/** Writes size.json, size.csv, charts/size-*.svg|png and size.html; returns the paths. */
export async function writeSizeOutput(dir: string, res: SizeResult): Promise<string[]> {
  makeDirs(dir);
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  write('size.json', toJson(sizeDocument(res)));
  write('size.csv', toCsv(sizeCsvRows(res)));
  const charts = await writeSpecCharts(dir, sizeCharts(res), files);
  const body: string[] = [];
  const ranked = res.rows.filter((r) => r.rank !== null);
  const rest = res.rows.filter((r) => r.rank === null);
  body.push(`<p><strong>${ranked.length ? 'Pick' : 'No pick'}:</strong> ${escapeHtml(sizePick(res))}</p>`);
  body.push('<h2>Options that meet the objectives</h2>');
  body.push(`<p class="muted">${escapeHtml(`Ranked by $/month: the smallest node count of each option whose simulation meets ${res.objectives.join(', ')} with nothing dropped or failed.`)}</p>`);
  if (ranked.length) body.push(htmlTable(
    ['#', 'option', 'attention', 'nodes', 'GPUs', 'p95', 'SLO attainment', 'facility kWh/video', '$/video', '$/month', 'note'],
    ranked.map((r) => [`${r.rank}${r.pareto ? ' ★' : ''}`, `${r.node} · ${r.parallel} (${r.replicas} × ${r.gpus_per_replica} GPU${r.gpus_per_replica === 1 ? '' : 's'})`, r.attention, r.nodes, r.gpus, sec(r.latency_s?.p95), pct(r.slo_attainment), num(r.kwh_per_video, 3), money(r.usd_per_video, 3), money(r.usd_per_month), r.note]),
    { numeric: [true, false, false, true, true, true, true, true, true, true, false], rowClass: (i) => (ranked[i]!.pareto ? 'pareto' : ''), wrap: [1, 10] },
  ));
  else body.push('<p class="muted">None.</p>');
  if (rest.length) {
    body.push('<h2>Not ranked</h2>');
    body.push(htmlTable(['option', 'why not'], rest.map((r) => [r.label, r.reason ?? r.note]), { numeric: [false, false], wrap: [1] }));
  }
  body.push('<p class="muted">★ Pareto-optimal: no other option is both cheaper and has a lower p95. p50, p99 and utilization of every option are in size.csv and size.json.</p>');
  if (charts.length) body.push('<h2>Charts</h2>', ...charts.map(figure));
  const prices = uniquePrices(res.rows.map((r) => r.price));
  if (prices.length) {
    const t = pricesTable(prices);
    body.push('<h2>Prices</h2>', `<p class="muted">${escapeHtml(PRICES_CAPTION)}</p>`, htmlTable(t.headers, t.rows, { numeric: t.numeric, wrap: t.wrap }));
  }
  if (res.skipped.length) body.push('<h2>Skipped</h2>', htmlTable(['node type', 'reason'], res.skipped.map((s) => [s.parallel ? `${s.node} ${s.parallel}` : s.node, s.reason]), { numeric: [false, false], wrap: [1] }));
  body.push('<h2>Search</h2>', htmlTable(['option', 'nodes tried (✓ pass, ✗ fail)'], res.rows.map((r) => [r.label, r.trials.map((t) => `${t.nodes}${t.pass ? '✓' : '✗'}`).join(' ')]), { numeric: [false, false] }));
  if (res.notes.length) body.push(`<ul class="notes">${res.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>`);
  write('size.html', htmlPage(`vgsim size — ${res.scenario}`, `${res.model} at ${res.rate_per_h.toFixed(1)} videos/h; objectives ${res.objectives.join(', ')}; ${res.basis} cost; ${fmtSeconds(res.trial_duration_s)} simulated per trial; ${res.simulations} simulations`, body));
  return files;
}
