/** The output of `vgsim tco`: the fleets as text, tco.csv, the charts and tco.html on vgsim's page (report/html.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IsoCompareResult, IsoRow } from '../studies/fleet.ts';
import { fmtSeconds, table } from './table.ts';
import { toCsv, toJson } from './output.ts';
import { escapeHtml, figure, htmlPage, scrollTable as htmlTable, writeSpecCharts } from './html.ts';
import { barsChart } from './charts.ts';
import { compactMoney, type PageChart } from './charts/size.ts';
import { money, num } from './size.ts';
import { nodePriceCell, priceAsOf, priceLines, pricesTable, PRICES_CAPTION, uniquePrices } from './prices.ts';
import { bestOnValidated, evidenceCaveat, evidenceCell, evidenceLineOf, gpuEvidence, isValidated, scopeLine } from '../perf/gpu-evidence.ts';
import { makeDirs } from '../make-dirs.ts';

const evidenceCellOf = (gpu: string) => { const e = gpuEvidence(gpu); return e ? evidenceCell(e) : '-'; };

const basisTitle = (res: IsoCompareResult, b: IsoRow['basis']) => (b === 'budget' ? `${compactMoney(res.budget_usd!)} capex budget` : `${res.megawatts} MW facility power`);

/** The pick of a basis with the objective next to it, or why there is none. */
export function tcoPick(res: IsoCompareResult, b: IsoRow['basis']): string {
  const pick = res.picks.find((p) => p.basis === b);
  if (!pick) return '';
  const r = res.rows.find((x) => x.basis === b && x.rank === 1);
  if (!r) return `no recommendation for ${basisTitle(res, b)}: ${pick.reason}`;
  const latency = r.latency_s !== null ? `, one request ${fmtSeconds(r.latency_s)}${res.max_latency_s !== null ? ` (<= ${fmtSeconds(res.max_latency_s)})` : ''}` : '';
  const ev = gpuEvidence(r.gpu);
  const caveat = ev ? evidenceCaveat(ev) : null;
  const line = `most videos/h for ${basisTitle(res, b)}: ${r.nodes} x ${r.node} (${r.gpus} GPUs, ${r.parallel}${latency}), ${r.fleet_videos_per_h!.toFixed(0)} videos/h${r.usd_per_video !== null ? `, ${money(r.usd_per_video, 3)}/video` : ''}; objective: ${pick.objective}${caveat ? ` [${caveat}]` : ''}`;
  if (isValidated(r.gpu)) return line;
  // the pick rests on nothing measured: name the best ranked option that something measured checks
  const v = bestOnValidated(res.rows.filter((x) => x.basis === b));
  return `${line}\n${v ? `best among GPUs with held-out measurements: #${v.rank} ${v.nodes} x ${v.node} (${v.gpus} GPUs, ${v.parallel}), ${v.fleet_videos_per_h!.toFixed(0)} videos/h${v.usd_per_video !== null ? `, ${money(v.usd_per_video, 3)}/video` : ''} [${evidenceCaveat(gpuEvidence(v.gpu)!) ?? `${v.gpu}: measured profile`}]` : 'no ranked option runs on a GPU with held-out measurements'}`;
}

/**
 * What the fleets' numbers rest on: one line per GPU, then the model family's when it is not Wan (as plan prints
 * it): the text's evidence lines, the JSON's evidence_lines. `family`: the model's (workload/models.ts).
 */
export function tcoEvidenceLines(res: IsoCompareResult, family?: string): string[] {
  const gpus = [...new Set(res.rows.map((r) => r.gpu))].map((g) => evidenceLineOf(g));
  return family !== undefined && family !== 'wan' ? [...gpus, scopeLine('family', family)] : gpus;
}

/** The document of `vgsim tco --json` and tco.json: the comparison and what its numbers rest on. */
export function tcoDocument(res: IsoCompareResult, family?: string): IsoCompareResult & { evidence_lines: string[] } {
  return { ...res, evidence_lines: tcoEvidenceLines(res, family) };
}

const rankCell = (r: IsoRow) => (r.rank === null ? '-' : String(r.rank));
const latencyCell = (r: IsoRow) => (r.latency_s === null ? '-' : fmtSeconds(r.latency_s));

/** The power basis every row is counted at, with why (text and HTML). */
export const powerBasisLine = (res: IsoCompareResult) => `peak node power, every row: ${res.power_basis.basis === 'nameplate' ? 'PSU nameplate' : 'estimate (non-GPU busy power + GPUs x TDP)'}: ${res.power_basis.why}`;

export function tcoText(res: IsoCompareResult, family?: string): string {
  const out: string[] = [];
  const rq = res.request;
  out.push(`${res.model}, ${rq.width}x${rq.height}, ${rq.frames} frames, ${rq.steps} steps: best layout per node type by throughput per GPU${res.max_latency_s !== null ? ` within ${fmtSeconds(res.max_latency_s)} per request` : ''} (cost model, every GPU busy around the clock: an upper bound)`);
  out.push(`ranked by fleet videos/h: only the node types that meet the objective (${res.objective}${res.budget_usd !== null ? '; for the budget also a price' : ''}); # - = not ranked, the note says why; latency = one request on an idle replica`);
  out.push(powerBasisLine(res));
  for (const b of ['budget', 'power'] as const) {
    const rows = res.rows.filter((r) => r.basis === b);
    if (!rows.length) continue;
    out.push('', `${basisTitle(res, b)}:`);
    out.push(table(
      ['#', 'node type', 'GPU', 'evidence', 'layout', 'attention', 'latency', 'node price', 'price as of', 'nodes', 'GPUs', 'capex', 'facility kW', 'videos/h/GPU', 'fleet videos/h', 'IT kWh/video', '$/month', '$/video', 'note'],
      rows.map((r) => [rankCell(r), r.node, r.gpu, evidenceCellOf(r.gpu), r.parallel ?? '-', r.attention ?? '-', latencyCell(r), nodePriceCell(r.price), priceAsOf(r.price), r.nodes, r.gpus, r.fleet_capex_usd === null ? '-' : compactMoney(r.fleet_capex_usd), r.facility_power_kw.toFixed(0), r.throughput_per_gpu_h, r.fleet_videos_per_h === null ? '-' : r.fleet_videos_per_h.toFixed(0), num(r.kwh_per_video, 3), money(r.usd_per_month), money(r.usd_per_video, 3), r.rank === null ? r.reason ?? r.note : r.note]),
    ));
    out.push(tcoPick(res, b));
  }
  // evidence: the GPU's profile · held-out median |time error| (cases); vgsim list evidence has the rest
  out.push('', 'evidence (profile · held-out median |time error| over its cases):');
  for (const l of tcoEvidenceLines(res, family)) out.push(`  ${l}`);
  if (res.notes.length) out.push('', 'notes:', ...res.notes.map((n) => `  ${n}`));
  const prices = uniquePrices(res.rows.map((r) => r.price));
  if (prices.length) out.push('', 'prices (one node as a whole system; [n] = source below):', ...priceLines(prices));
  if (res.skipped.length) {
    out.push('', 'skipped or partial:');
    for (const s of res.skipped) out.push(`  ${s.node}: ${s.reason}`);
  }
  return out.join('\n') + '\n';
}

/** A fleet's bar: its node type, with † when no held-out measurement checks its GPU (the text's evidence column says so in words). */
const barCategory = (r: IsoRow) => `${r.node}${isValidated(r.gpu) ? '' : ' †'}`;
const daggerNote = (rows: readonly IsoRow[]) => (rows.some((r) => !isValidated(r.gpu)) ? '; † no held-out measurement on its GPU (rates extrapolated from the H100, unvalidated)' : '');
/** Why a fleet with a bar is not ranked (over the latency objective, no price), for its bar label. */
const notRanked = (r: IsoRow) => (r.rank === null && r.reason !== null ? ` · not ranked: ${r.reason.split(':')[0]}` : '');

export function tcoCharts(res: IsoCompareResult): PageChart[] {
  const charts: PageChart[] = [];
  const rq = res.request;
  for (const b of ['budget', 'power'] as const) {
    const rows = res.rows.filter((r) => r.basis === b);
    if (!rows.length) continue;
    charts.push({
      id: `tco-${b}-gpus`, title: `GPUs for ${basisTitle(res, b)}`, caption: `Whole nodes of each type within ${basisTitle(res, b)} (floor).`,
      spec: barsChart({
        title: `GPUs for the same ${b === 'budget' ? 'budget' : 'power'}: ${basisTitle(res, b)}`,
        subtitle: `${b === 'budget' ? 'whole nodes = floor(budget / node price: server + fabric share, see Prices)' : 'whole nodes = floor(MW / (node peak power × PUE))'}${daggerNote(rows)}`,
        data: rows.map((r) => ({ category: barCategory(r), value: r.gpus, label: `${r.gpus} GPUs (${r.nodes} nodes)${r.parallel === null ? ' · cannot run the model' : ''}${r.fleet_capex_usd === null ? ' · no price' : ''}` })),
        category: { title: 'node type', order: rows.map(barCategory) }, value: { title: 'GPUs', format: ',.0f' }, step: 24,
      }),
    });
    const withT = rows.filter((r) => r.fleet_videos_per_h !== null);
    if (withT.length) {
      charts.push({
        id: `tco-${b}-throughput`, title: `Fleet throughput for ${basisTitle(res, b)}`, caption: 'Videos per hour of the fleet, every GPU busy on the best layout (cost model; an upper bound).',
        spec: barsChart({
          title: `Fleet videos/h for ${basisTitle(res, b)}`,
          subtitle: `${res.model} ${rq.width}x${rq.height}, ${rq.frames} frames, ${rq.steps} steps; best layout per node type, all GPUs busy (upper bound)${daggerNote(withT)}`,
          data: withT.map((r) => ({ category: barCategory(r), value: r.fleet_videos_per_h!, label: `${r.fleet_videos_per_h!.toFixed(0)}/h on ${r.gpus} GPUs${r.usd_per_video !== null ? ` · ${money(r.usd_per_video, 2)}/video` : ' · no price'}${notRanked(r)}` })),
          category: { title: 'node type', order: withT.map(barCategory) }, value: { title: 'videos per hour', format: ',.0f' }, step: 24,
        }),
      });
    }
  }
  return charts;
}

export async function writeTcoOutput(dir: string, res: IsoCompareResult, family?: string): Promise<string[]> {
  makeDirs(dir);
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  write('tco.json', toJson(tcoDocument(res, family)));
  write('tco.csv', toCsv(res.rows.map(({ notes: _n, warnings: _w, price, ...r }) => {
    const e = gpuEvidence(r.gpu);
    return { ...r, price_as_of: price ? priceAsOf(price) : null, price_is_lower_bound: price ? price.lower_bound.length > 0 : null, gpu_profile: e?.profile ?? null, held_out_time_cases: e?.time.n ?? null, held_out_median_abs_error: e?.time.median_abs ?? null } as unknown as Record<string, unknown>;
  })));
  const charts = await writeSpecCharts(dir, tcoCharts(res), files);
  const body: string[] = [];
  for (const b of ['budget', 'power'] as const) {
    const rows = res.rows.filter((r) => r.basis === b);
    if (!rows.length) continue;
    body.push(`<h2>${escapeHtml(basisTitle(res, b))}</h2>`);
    body.push(`<p><strong>${rows.some((r) => r.rank === 1) ? 'Pick' : 'No pick'}:</strong> ${escapeHtml(tcoPick(res, b))}</p>`);
    // two tables so that each fits the page: what each fleet serves, then what it costs
    body.push(htmlTable(
      ['#', 'node type', 'layout', 'attention', 'one request', 'nodes (GPUs)', 'fleet videos/h', '$/video', 'note'],
      rows.map((r) => [r.rank === null ? '–' : String(r.rank), r.node, r.parallel ?? '–', r.attention ?? '–', r.latency_s === null ? '–' : fmtSeconds(r.latency_s), `${r.nodes} (${r.gpus})`, r.fleet_videos_per_h === null ? '–' : r.fleet_videos_per_h.toFixed(0), money(r.usd_per_video, 3), r.rank === null ? r.reason ?? r.note : r.note]),
      { numeric: [true, false, false, false, true, true, true, true, false], wrap: [2, 8] },
    ));
    body.push(htmlTable(
      ['node type', 'node price', 'price as of', 'capex', 'IT kWh/video', '$/month'],
      rows.map((r) => [r.node, nodePriceCell(r.price), priceAsOf(r.price), r.fleet_capex_usd === null ? '–' : compactMoney(r.fleet_capex_usd), num(r.kwh_per_video, 3), r.usd_per_month === null ? '–' : compactMoney(r.usd_per_month)]),
      { numeric: [false, true, false, true, true, true] },
    ));
    body.push(`<p class="muted">${escapeHtml(`Latency: one request on an idle replica. ${powerBasisLine(res)}. The GPU, facility power, videos/h per GPU and price basis of every row are in tco.csv and tco.json.`)}</p>`);
    for (const c of charts.filter((c) => c.id.startsWith(`tco-${b}-`))) body.push(figure(c));
  }
  if (res.notes.length) body.push('<h2>Notes</h2>', `<ul class="notes">${res.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>`);
  const prices = uniquePrices(res.rows.map((r) => r.price));
  if (prices.length) {
    const t = pricesTable(prices);
    body.push('<h2>Prices</h2>', `<p class="muted">${escapeHtml(PRICES_CAPTION)}</p>`, htmlTable(t.headers, t.rows, { numeric: t.numeric, wrap: t.wrap }));
  }
  if (res.skipped.length) body.push('<h2>Skipped or partial</h2>', htmlTable(['node type', 'reason'], res.skipped.map((s) => [s.node, s.reason]), { numeric: [false, false], wrap: [1] }));
  const rq = res.request;
  write('tco.html', htmlPage('vgsim tco — iso-cost / iso-power', `${res.model}, ${rq.width}x${rq.height}, ${rq.frames} frames, ${rq.steps} steps; per-GPU throughput from the cost model's best layout (every GPU busy: an upper bound)`, body));
  return files;
}
