/**
 * compare.html: the scenarios, the metrics table (best of each row in bold green), the charts, warnings and
 * the scenarios as run, on report.html's look; and the files `--out` writes (compare.html, compare.json,
 * charts/compare-*.svg|png).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fmtSeconds } from './table.ts';
import { toJson } from './output.ts';
import { escapeHtml, inlineSvg, htmlHead, REPORT_CSS } from './html.ts';
import { renderPngs, renderSvg, type NamedChart } from './charts.ts';
import { compareJson, compareRuns, formatRow, type CompareRun, type Comparison } from './compare.ts';
import { compareCharts } from './compare-charts.ts';
import { makeDirs } from '../make-dirs.ts';


export interface RenderedCompareChart extends NamedChart {
  svg: string;
}

/**
 * report.html's stylesheet, taken from renderHtmlReport itself (rendered with no chart, so it costs
 * nothing) so the two pages keep one look without a copy of the CSS here.
 */
const EXTRA_CSS = `
td.best { font-weight: bold; color: #2e7d32; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
tr.section td { background: var(--band, #f6f8fb); color: var(--muted, #5b6473); font-size: 12px; font-weight: bold; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: bold; }
`;

function figure(c: RenderedCompareChart): string {
  return `<figure id="fig-${escapeHtml(c.id)}">
<div class="chart">${inlineSvg(c.svg, c.id)}</div>
<figcaption>${escapeHtml(c.caption)} <span class="files"><a href="charts/${escapeHtml(c.id)}.svg">SVG</a> · <a href="charts/${escapeHtml(c.id)}.png">PNG</a></span></figcaption>
</figure>`;
}

const SECTION_OF = (key: string) => (key.startsWith('class.') ? 'per request class' : key.startsWith('latency') || key.startsWith('queue') ? 'latency' : key.startsWith('requests') || key.startsWith('throughput') ? 'requests and throughput' : key.startsWith('energy') || key.startsWith('cost') ? 'energy and cost' : 'service and cluster');

export interface CompareHtmlOptions {
  /** Page title; default "vgsim comparison — A vs B". */
  title?: string;
}

/** Render compare.html and its charts (no files written). */
export async function renderCompareHtml(runs: readonly CompareRun[], opts: CompareHtmlOptions = {}): Promise<{ html: string; charts: RenderedCompareChart[]; comparison: Comparison }> {
  const cmp = compareRuns(runs);
  const charts: RenderedCompareChart[] = [];
  for (const c of compareCharts(runs)) charts.push({ ...c, svg: await renderSvg(c.spec) });
  const title = opts.title ?? `vgsim comparison — ${runs.map((x) => x.label).join(' vs ')}`;
  const hasScenario = runs.some((x) => x.scenario !== undefined);
  const out: string[] = [];
  out.push(`${htmlHead(title, REPORT_CSS + EXTRA_CSS)}
<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(`${runs.length} scenarios · ${cmp.scenarios.map((s) => `${s.label}: seed ${s.seed}, ${fmtSeconds(s.sim_time_s)} simulated`).join(' · ')}`)}</p>
<nav><a href="#scenarios">Scenarios</a><a href="#metrics">Metrics</a><a href="#charts">Charts</a><a href="#warnings">Warnings</a>${hasScenario ? '<a href="#as-run">As run</a>' : ''}</nav>
</header>`);

  // scenarios
  out.push(`<section id="scenarios"><h2>Scenarios</h2><div class="scroll"><table><thead><tr><th>scenario</th><th>file</th><th>name</th><th class="num">seed</th><th class="num">GPUs</th><th>deployment</th><th class="num">simulated</th><th class="wrap">cost basis</th></tr></thead>\n<tbody>`);
  for (const s of cmp.scenarios) {
    out.push(`<tr><td><span class="swatch" style="background:${escapeHtml(s.color)}"></span>${escapeHtml(s.label)}</td><td>${escapeHtml(s.file ?? '–')}</td><td>${escapeHtml(s.name)}</td><td class="num">${escapeHtml(s.seed)}</td><td class="num">${escapeHtml(s.gpus)}</td><td>${s.deployment.map(escapeHtml).join('<br>')}</td><td class="num">${escapeHtml(fmtSeconds(s.sim_time_s))}</td><td class="wrap">${escapeHtml(s.cost_basis)}</td></tr>`);
  }
  out.push('</tbody></table></div></section>');

  // metrics
  out.push(`<section id="metrics"><h2>Metrics</h2><p class="muted">${cmp.unranked ? '<strong>Not ranked: the runs serve different traffic (see below).</strong> ' : ''}Bold green: the best value of the row. Not ranked: request counts (they follow the arrivals), GPU utilization (higher is cheaper per video but queues longer), a run's total energy and power (they follow its length and size) and $ per GPU-hour. Money rows rank only runs priced on one basis (see cost basis above).${cmp.notes.length ? ` ${escapeHtml(cmp.notes.join('; '))}.` : ''}</p><div class="scroll"><table><thead><tr><th>metric</th>${cmp.scenarios.map((s) => `<th class="num"><span class="swatch" style="background:${escapeHtml(s.color)}"></span>${escapeHtml(s.label)}</th>`).join('')}</tr></thead>\n<tbody>`);
  let section = '';
  for (const r of cmp.rows) {
    const sec = SECTION_OF(r.key);
    if (sec !== section) {
      section = sec;
      out.push(`<tr class="section"><td colspan="${runs.length + 1}">${escapeHtml(sec)}</td></tr>`);
    }
    out.push(`<tr><td>${escapeHtml(r.label)}</td>${formatRow(r).map((v, i) => `<td class="num${r.best.includes(i) ? ' best' : ''}"${r.best.includes(i) ? ' title="best"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`);
  }
  out.push('</tbody></table></div></section>');

  // charts
  out.push(`<section id="charts"><h2>Charts</h2>`);
  if (!runs.every((x) => x.result.records)) out.push('<p class="muted">The latency CDF needs per-request records (simulate with records: true).</p>');
  for (const c of charts) out.push(figure(c));
  out.push('</section>');

  // warnings
  out.push(`<section id="warnings"><h2>Warnings</h2>`);
  const warned = runs.filter((x) => x.result.warnings.length || x.result.requests.in_flight || x.result.requests.dropped);
  if (!warned.length) out.push('<p class="muted">None.</p>');
  for (const x of warned) {
    const ws = [...x.result.warnings];
    if (x.result.requests.in_flight) ws.push(`${x.result.requests.in_flight} requests were still in flight when the simulation stopped; latency statistics cover completed requests only`);
    if (x.result.requests.dropped) ws.push(`${x.result.requests.dropped} requests were dropped (queue full, timed out or no replica serving their model)`);
    out.push(`<h3>${escapeHtml(x.label)}</h3><ul class="warnings">\n${ws.map((w) => `<li>${escapeHtml(w)}</li>`).join('\n')}\n</ul>`);
  }
  out.push('</section>');

  // scenarios as run
  if (hasScenario) {
    out.push(`<section id="as-run"><h2>Scenarios as run</h2>`);
    for (const x of runs) {
      if (x.scenario === undefined) continue;
      out.push(`<details><summary>${escapeHtml(x.label)}${x.file ? ` <span class="muted">(${escapeHtml(x.file)})</span>` : ''}</summary><pre>${escapeHtml(stringify(x.scenario, { lineWidth: 0 }))}</pre></details>`);
    }
    out.push('</section>');
  }
  out.push(`<footer>Generated by vgsim compare. Charts are Vega-Lite specs rendered without a browser; this page loads nothing from the network.</footer>
</main>
</body>
</html>
`);
  return { html: out.join('\n'), charts, comparison: cmp };
}

/** Write dir/compare.html, dir/compare.json and dir/charts/compare-*.svg|png; returns the paths (compare.html first). */
export async function writeCompareOutput(dir: string, runs: readonly CompareRun[], opts: CompareHtmlOptions = {}): Promise<string[]> {
  const { html, charts, comparison } = await renderCompareHtml(runs, opts);
  const chartDir = join(dir, 'charts');
  makeDirs(chartDir);
  const files: string[] = [];
  const write = (path: string, data: string | Buffer) => {
    writeFileSync(path, data);
    files.push(path);
  };
  write(join(dir, 'compare.html'), html);
  write(join(dir, 'compare.json'), toJson(compareJson(comparison, runs)));
  const pngs = await renderPngs(charts.map((c) => c.svg));
  for (const [i, c] of charts.entries()) {
    write(join(chartDir, `${c.id}.svg`), c.svg);
    write(join(chartDir, `${c.id}.png`), pngs[i]!);
  }
  return files;
}
