/**
 * The cost model's charts of one request: memory by category per phase against the GPU's capacity, and
 * the operators that take the most time, coloured by what bounds them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { RUNTIME_OVERHEAD_GB } from '../../perf/estimate.ts';
import { fmtSeconds } from '../table.ts';
import { DEFAULT_WIDTH, barsChart, type BarDatum, type BarReference } from './generic.ts';
import { EXTRA_COLORS, bandLabelLimit, fitSubtitle, labelled, timeUnitFor, type EstimateLike } from './units-labels.ts';

const PHASE_LABEL: Record<string, string> = { text_encode: 'text encode', denoise: 'denoise', vae_decode: 'VAE decode' };
const RUNTIME_KEY = `CUDA runtime (${RUNTIME_OVERHEAD_GB} GB, assumed)`;
/** Readable names of the cost model's memory categories (unknown ones: underscores → spaces). */
const MEMORY_LABEL: Record<string, string> = {
  dit_weights: 'DiT weights', text_encoder_weights: 'text encoder weights', vae_weights: 'VAE weights', latents: 'latents',
  context: 'text context', modulation: 'modulation', residual: 'residual stream', activations: 'activations',
  rope_temporaries: 'RoPE temporaries', vae_io: 'VAE input/output', vae_cache: 'VAE causal cache', vae_activations: 'VAE activations',
  workspace: 'conv workspace',
};
const memoryLabel = (k: string) => MEMORY_LABEL[k] ?? k.replace(/_/g, ' ');

/** Known memory categories, in stack order, with colours: resident weights in blues, transients warm. */
const MEMORY_COLORS: Record<string, string> = {
  dit_weights: '#1f4e79',
  text_encoder_weights: '#4c78a8',
  vae_weights: '#9ecae9',
  latents: '#54a24b',
  context: '#88d27a',
  modulation: '#e45756',
  residual: '#f58518',
  activations: '#ffbf79',
  rope_temporaries: '#b279a2',
  vae_io: '#72b7b2',
  vae_cache: '#9d755d',
  vae_activations: '#eeca3b',
  workspace: '#d6a5c9',
  [RUNTIME_KEY]: '#bab0ac',
};
/** Peak memory of each phase, stacked by category, against the GPU's usable capacity. */
export function memoryChart(estimates: EstimateLike | readonly EstimateLike[]): TopLevelSpec {
  const list = (Array.isArray(estimates) ? estimates : [estimates]).map(labelled);
  const multi = list.length > 1;
  // one GPU type: a single capacity line across the plot; several: a tick across each bar, its capacity
  // printed in the bar's own label (a label beside each tick printed over the neighbouring bar's total)
  const capacities = new Set(list.map((l) => `${l.estimate.gpu}/${l.estimate.capacity_gb}`));
  const perBarCapacity = capacities.size > 1;
  const data: BarDatum[] = [];
  const references: BarReference[] = [];
  const totals: Record<string, string> = {};
  const order: string[] = [];
  const seen = new Set<string>();
  const known = Object.keys(MEMORY_COLORS);
  for (const { label, estimate: e } of list) {
    e.memory.phases.forEach((ph, i) => {
      const cat = multi ? `${label} · ${PHASE_LABEL[ph.phase] ?? ph.phase}` : PHASE_LABEL[ph.phase] ?? ph.phase;
      for (const [k, gb] of Object.entries(ph.breakdown_gb)) {
        seen.add(k);
        data.push({ category: cat, group: memoryLabel(k), value: gb });
      }
      data.push({ category: cat, group: RUNTIME_KEY, value: RUNTIME_OVERHEAD_GB });
      const total = ph.peak_gb + RUNTIME_OVERHEAD_GB;
      const of = perBarCapacity ? ` of ${e.capacity_gb.toFixed(1)} GB (${e.gpu})` : '';
      totals[cat] = `${total.toFixed(1)} GB${of}${total > e.capacity_gb ? ' — does not fit' : ''}`;
      references.push({ category: cat, value: e.capacity_gb, color: '#222222' });
    });
  }
  seen.add(RUNTIME_KEY);
  for (const k of known) if (seen.has(k)) order.push(k);
  for (const k of [...seen].sort()) if (!order.includes(k)) order.push(k);
  const colors: Record<string, string> = {};
  let extra = 0;
  for (const k of order) colors[memoryLabel(k)] = MEMORY_COLORS[k] ?? EXTRA_COLORS[extra++ % EXTRA_COLORS.length]!;
  const e0 = list[0]!.estimate;
  const refs: BarReference[] = perBarCapacity ? references : [{ value: e0.capacity_gb, label: `usable memory of ${e0.gpu}: ${e0.capacity_gb.toFixed(1)} GB`, color: '#222222' }];
  const capacityOf: Record<string, number> = {};
  for (const r of references) capacityOf[r.category!] = r.value;
  return bandLabelLimit(fitSubtitle(totalsPastCapacity(barsChart({
    title: multi ? 'Peak GPU memory by phase' : `Peak GPU memory by phase — ${list[0]!.label}`,
    subtitle: multi ? `each bar: what is on one GPU at that phase's peak; ${perBarCapacity ? "black tick: usable memory of the bar's GPU" : 'dashed line: usable GPU memory'}` : `${e0.memory.verdict}`,
    data,
    category: { title: multi ? 'estimate · phase' : 'phase' },
    value: { title: 'memory at the phase peak (GB)' },
    group: { title: 'held by', order: order.map(memoryLabel), colors },
    references: refs,
    totals,
    step: 34,
  }), totals, capacityOf)), 420);
}

/**
 * Moves the end-of-bar labels (barsChart `totals`) that would run across their bar's capacity line or tick
 * to just past it, so no label is struck through. Positions are estimated as barsChart does (plot width,
 * ~6.6 px per character of 11 px DejaVu Sans); the value domain already leaves room past the capacity.
 */
function totalsPastCapacity(spec: TopLevelSpec, totals: Readonly<Record<string, string>>, capacityOf: Readonly<Record<string, number>>, width = DEFAULT_WIDTH): TopLevelSpec {
  type Layer = { mark?: { type?: string }; encoding?: { x?: { scale?: { domain?: number[] } }; text?: { field?: string } }; data?: { values?: { category: string; value: number; label: string }[] } };
  const layers = (spec as unknown as { layer?: Layer[] }).layer ?? [];
  const max = layers[0]?.encoding?.x?.scale?.domain?.[1];
  if (!(max && max > 0)) return spec;
  const px = (v: number) => (v / max) * width;
  for (const l of layers) {
    if (l.mark?.type !== 'text' || l.encoding?.text?.field !== 'label') continue;
    for (const row of l.data?.values ?? []) {
      const cap = capacityOf[row.category];
      if (cap === undefined || totals[row.category] !== row.label) continue;
      if (row.value < cap && px(row.value) + 4 + row.label.length * 6.6 > px(cap) - 3) row.value = cap;
    }
  }
  return spec;
}

const BOUND_COLORS: Record<string, string> = { compute: '#4c78a8', memory: '#f58518', launch: '#e45756', link: '#54a24b' };

/** The operators that take the most time in one request, coloured by what bounds them. */
export function opsChart(estimate: EstimateLike, opts: { top?: number } = {}): TopLevelSpec {
  const { label, estimate: e } = labelled(estimate);
  const ops = e.ops.slice(0, opts.top ?? 15);
  const u = timeUnitFor(Math.max(0, ...ops.map((o) => o.seconds)));
  const count = new Map<string, number>();
  for (const o of ops) count.set(o.name, (count.get(o.name) ?? 0) + 1);
  const used = new Set<string>();
  const data: BarDatum[] = ops.map((o) => {
    let cat = (count.get(o.name) ?? 0) > 1 ? `${o.name} (${o.group})` : o.name;
    for (let n = 2; used.has(cat); n++) cat = `${o.name} (${o.group}) #${n}`;
    used.add(cat);
    return { category: cat, group: o.bound, value: o.seconds / u.seconds, label: `${(o.share * 100).toFixed(1)}%`, detail: `${o.kind} ${o.shape} @ ${o.rate}` };
  });
  const bounds = [...new Set(['compute', 'memory', 'launch', 'link', ...ops.map((o) => o.bound)])].filter((b) => ops.some((o) => o.bound === b));
  const shown = ops.reduce((a, o) => a + o.share, 0);
  return fitSubtitle(barsChart({
    title: `Top operators by time per request — ${label}`,
    subtitle: `top ${ops.length} operators = ${(shown * 100).toFixed(0)}% of the ${fmtSeconds(e.total_s)} request (labels: share of the request)`,
    data,
    category: { title: 'operator' },
    value: { title: `time per request, all calls (${u.unit})` },
    group: { title: 'bound by', order: bounds, colors: BOUND_COLORS },
    step: 22,
  }));
}
