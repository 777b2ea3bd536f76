/**
 * size.html, sweep.html and tco.html fit the page (issue 20: $/video and $/month were off its right edge): every
 * table's estimated width stays within report/html.ts's 1,072 px text column. The estimate is the CSS's own
 * numbers: 13.5 px text at ~7 px a character, 24 px of padding per cell, header cells wrap (th: white-space
 * normal), wrapping cells (td.wrap) take at least 14em ≈ 28 characters and wrap beyond, the others never wrap.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { sizeCluster } from '../src/studies/size.ts';
import { parseSlo } from '../src/studies/objectives.ts';
import { writeSizeOutput } from '../src/report/size.ts';
import { expandSweep } from '../src/sweep/spec.ts';
import { runSweep } from '../src/sweep/runner.ts';
import { recordOf } from '../src/sweep/output.ts';
import { writeSweepReport } from '../src/sweep/report.ts';
import { isoCompare } from '../src/studies/fleet.ts';
import { writeTcoOutput } from '../src/report/tco.ts';
import { getModel } from '../src/workload/request.ts';

const PAGE_PX = 1120 - 2 * 24; // main { max-width: 1120px; padding: 0 24px }
const CHAR_PX = 7;
const CELL_PX = 24;
const WRAP_CHARS = 28;

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"');

/** Estimated width in px of each table of a page, with its header for the message. */
function tableWidths(html: string): { head: string; px: number }[] {
  return [...html.matchAll(/<table[^>]*>([\s\S]*?)<\/table>/g)].map(([, t]) => {
    const widths: number[] = [];
    for (const [, row] of t!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)) {
      [...row!.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)].forEach(([, attr, cell], i) => {
        const longest = Math.max(...cell!.split(/<br\s*\/?>/).map((line) => [...text(line)].length));
        const chars = /\bwrap\b/.test(attr!) ? Math.min(longest, WRAP_CHARS) : longest;
        widths[i] = Math.max(widths[i] ?? 0, chars);
      });
    }
    const head = text(/<thead>([\s\S]*?)<\/thead>/.exec(t!)?.[1]?.replace(/<\/th>/g, ' | ') ?? '').trim();
    return { head, px: widths.reduce((a, w) => a + w * CHAR_PX + CELL_PX, 0) };
  });
}

function expectFits(file: string): void {
  const widths = tableWidths(readFileSync(file, 'utf8'));
  expect(widths.length).toBeGreaterThan(0);
  // the tables wider than the column, with their estimated width (none)
  expect(widths.filter((w) => w.px > PAGE_PX).map((w) => `${w.head}: ${Math.round(w.px)} px`)).toEqual([]);
}

describe('pages fit their text column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vgsim-page-fit-'));

  it('the width estimate flags a wide table and passes a narrow one', () => {
    const row = (cells: string[], cls = '') => `<tr>${cells.map((c) => `<td${cls}>${c}</td>`).join('')}</tr>`;
    const wide = `<table><tbody>${row(Array.from({ length: 16 }, () => '$13,345/month'))}</tbody></table>`;
    expect(tableWidths(wide)[0]!.px).toBeGreaterThan(PAGE_PX);
    const wrapped = `<table><tbody>${row(['x'.repeat(400)], ' class="wrap"')}</tbody></table>`;
    expect(tableWidths(wrapped)[0]!.px).toBe(WRAP_CHARS * CHAR_PX + CELL_PX);
  });

  it('size.html', async () => {
    const file = resolve('scenarios/default.yaml');
    const loaded = loadScenario(file);
    const res = sizeCluster(loaded.scenario, { terms: parseSlo('p95<=45m'), ratePerH: 60, nodes: ['hgx-h100-sxm-8', 'hgx-h200-8', 'l40s-pcie-8', 'rtx4090-8'], layouts: 2, sim: { baseDir: dirname(file), locate: loaded.locate } });
    await writeSizeOutput(join(dir, 'size'), res);
    expectFits(join(dir, 'size', 'size.html'));
  }, 60_000);

  it('sweep.html with replicates (each value with its 95% interval)', async () => {
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, `extends: ${resolve('scenarios/sweeps/load-and-replicas.yaml')}\nduration: 4h\nsweep:\n  parameters:\n    workload.arrivals.rate_per_hour: [10, 40]\n    deployment.replicas: [4, 8]\n  replicate_seeds: 2\n`);
    const plan = expandSweep(loadScenario(file));
    const outcomes = await runSweep(plan.points, { file, workers: 0, samples: true });
    await writeSweepReport(join(dir, 'sweep'), plan, plan.points.map((p, i) => recordOf(p, outcomes[i]!)));
    expectFits(join(dir, 'sweep', 'sweep.html'));
  }, 60_000);

  it('tco.html', async () => {
    const res = isoCompare({ model: getModel('wan2.2-t2v-a14b'), request: { width: 1280, height: 720 }, nodes: ['hgx-h100-sxm-8', 'hgx-h20-8', 'mi300x-8', 'rtx4090-8'], budgetUsd: 10e6, megawatts: 1, maxLatencyS: 300 });
    await writeTcoOutput(join(dir, 'tco'), res);
    expectFits(join(dir, 'tco', 'tco.html'));
  }, 60_000);
});
