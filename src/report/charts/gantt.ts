/**
 * The per-GPU Gantt timeline: which request each GPU (or multi-GPU replica) runs over a window of simulated
 * time, one bar per request coloured by its class, each bar split into its stages (text encode → denoise →
 * VAE decode) by shade: light, full and dark tones of the class colour.
 *
 * Vega-Lite has no mark for a bar split into stage bands with per-bar labels and sub-lanes, so this chart is
 * SVG written by hand: positions come from d3-scale (linear time axis, band scale for the lanes), tick labels
 * from the scale's own tickFormat (d3-format), and every number is printed with a fixed precision, so the
 * same result and options give byte-identical SVG. Text uses DejaVu Sans (the vendored font renderPng loads).
 *
 * Stages are the cost model's encode / denoise / decode times of the request's class on its pool, scaled onto
 * the request's actual service interval (as the Chrome trace does), so they always tile the bar.
 */
import { scaleBand, scaleLinear } from 'd3-scale';
import type { RequestRecord, SimulationResult } from '../../serving/simulate.ts';
import { fmtSeconds } from '../table.ts';
import { CHART_FONT } from './render.ts';
import { PALETTE } from './generic.ts';

export interface GanttOptions {
  /** Lanes for the first `gpus` GPUs of the deployment, in pool and replica order (default 16). */
  gpus?: number;
  /** The window of simulated time to draw, [start, end] seconds (default: the busiest window about five service times long). */
  window?: readonly [number, number];
  /** SVG width in px (default 900). */
  width?: number;
  title?: string;
}

export interface GanttChart {
  svg: string;
  /** The window drawn, seconds. */
  window: [number, number];
  /** Lane labels, top to bottom. */
  lanes: string[];
  /** Requests drawn (partly or wholly inside the window). */
  requests: number;
  /** GPUs covered by the lanes. */
  gpus: number;
}

interface Lane {
  label: string;
  replica: number;
}

const STAGES = ['text encode', 'denoise', 'VAE decode'] as const;
/** How each stage shades its class colour: mix with white (encode), as is (denoise), mix with black (decode). */
const STAGE_SHADE: Record<(typeof STAGES)[number], number> = { 'text encode': 0.55, denoise: 0, 'VAE decode': -0.4 };

const f2 = (x: number) => (Math.round(x * 100) / 100).toFixed(2).replace(/\.?0+$/, '') || '0';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `#rrggbb` mixed toward white (t > 0) or black (t < 0) by |t|. */
export function shade(hex: string, t: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => Math.round(t >= 0 ? c + (255 - c) * t : c * (1 + t)));
  return '#' + ch.map((c) => c.toString(16).padStart(2, '0')).join('');
}

function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return (0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
}

/** Same units as the Vega-Lite charts (charts.ts timeUnitFor): s up to 3 min, min up to 5 h, then h. */
function unitFor(maxSeconds: number): { unit: string; seconds: number } {
  if (!(maxSeconds > 180)) return { unit: 's', seconds: 1 };
  if (maxSeconds <= 5 * 3600) return { unit: 'min', seconds: 60 };
  return { unit: 'h', seconds: 3600 };
}

const NICE_WINDOWS = [60, 120, 300, 600, 900, 1200, 1800, 3600, 2 * 3600, 3 * 3600, 4 * 3600, 6 * 3600, 8 * 3600, 12 * 3600, 24 * 3600, 2 * 86400, 7 * 86400];

/** The lanes of the first `maxGpus` GPUs: one per GPU for single-GPU replicas, one per replica otherwise. */
function lanesOf(result: SimulationResult, maxGpus: number): { lanes: Lane[]; gpus: number } {
  const lanes: Lane[] = [];
  let gpu = 0;
  let replica = 0;
  for (const p of result.pools) {
    for (let k = 0; k < p.replicas; k++, replica++) {
      if (gpu >= maxGpus) return { lanes, gpus: gpu };
      const n = p.gpus_per_replica;
      lanes.push({ label: n === 1 ? `GPU ${gpu} · ${p.name} #${k}` : `GPUs ${gpu}–${gpu + n - 1} · ${p.name} #${k}`, replica });
      gpu += n;
    }
  }
  return { lanes, gpus: gpu };
}

/** Busy seconds of `recs` inside [a, b]. */
function busyIn(recs: readonly RequestRecord[], a: number, b: number): number {
  let s = 0;
  for (const r of recs) s += Math.max(0, Math.min(b, r.finish) - Math.max(a, r.start));
  return s;
}

/** The default window: about five of the longest service times (a round length), where the shown GPUs were busiest. */
export function busiestWindow(result: SimulationResult, recs: readonly RequestRecord[]): [number, number] {
  let end = result.sim_time_s;
  for (const r of recs) end = Math.max(end, r.finish);
  let longest = 0;
  for (const s of result.service_times) longest = Math.max(longest, s.total_s);
  const want = Math.max(60, 5 * longest);
  const length = NICE_WINDOWS.find((w) => w >= want) ?? want;
  if (end <= length) return [0, end];
  const step = length / 4;
  let best: [number, number] = [0, length];
  let bestBusy = -1;
  for (let a = 0; a + length <= end + 1e-9; a += step) {
    const busy = busyIn(recs, a, a + length);
    if (busy > bestBusy + 1e-9) {
      bestBusy = busy;
      best = [a, a + length];
    }
  }
  return best;
}

/** The per-GPU Gantt timeline of a run (needs per-request records) as an SVG string. */
export function gpuGanttChart(result: SimulationResult, opts: GanttOptions = {}): GanttChart {
  const records = result.records;
  if (!records) throw new Error('gpuGanttChart needs per-request records: run simulate(scenario, { records: true })');
  const { lanes, gpus } = lanesOf(result, opts.gpus ?? 16);
  const laneOfReplica = new Map(lanes.map((l, i) => [l.replica, i]));
  const served = records.filter((r) => r.outcome === 'completed' && laneOfReplica.has(r.replica) && Number.isFinite(r.start) && r.finish > r.start);
  const [t0, t1] = opts.window ? [opts.window[0], opts.window[1]] : busiestWindow(result, served);
  if (!(t1 > t0)) throw new Error(`gpuGanttChart: empty window [${t0}, ${t1}]`);
  const shown = served.filter((r) => r.finish > t0 && r.start < t1).sort((a, b) => a.start - b.start || a.id - b.id);

  // overlapping requests on one replica (a split-expert pipeline runs two at once) go on sub-tracks
  const track = new Map<number, number>();
  const tracksOfLane: number[] = lanes.map(() => 1);
  const trackEnds: number[][] = lanes.map(() => []);
  for (const r of shown) {
    const li = laneOfReplica.get(r.replica)!;
    const ends = trackEnds[li]!;
    let k = ends.findIndex((e) => e <= r.start + 1e-9);
    if (k < 0) k = ends.push(0) - 1;
    ends[k] = r.finish;
    track.set(r.id, k);
    tracksOfLane[li] = Math.max(tracksOfLane[li]!, k + 1);
  }

  // ---- layout ----
  const width = opts.width ?? 900;
  const classNames = result.classes.map((c) => c.name);
  const classColor = new Map(classNames.map((n, i) => [n, PALETTE[i % PALETTE.length]!]));
  const laneLabelPx = Math.max(...lanes.map((l) => l.label.length), 4) * 6.3 + 14;
  const left = Math.ceil(12 + laneLabelPx);
  const right = 16;
  const top = 78;
  // lanes with overlapping requests get taller, so each sub-track stays readable
  const maxTracks = Math.min(4, Math.max(...tracksOfLane));
  const step = (lanes.length > 24 ? 14 : 22) * (maxTracks > 1 ? 0.75 * maxTracks : 1);
  const plotW = width - left - right;
  const plotH = Math.max(step, lanes.length * step);
  const u = unitFor(t1);
  const x = scaleLinear().domain([t0 / u.seconds, t1 / u.seconds]).range([0, plotW]);
  const y = scaleBand<number>().domain(lanes.map((_, i) => i)).range([0, plotH]).paddingInner(0.22).paddingOuter(0.11);
  const ticks = x.ticks(Math.max(4, Math.round(plotW / 90)));
  const tickFormat = x.tickFormat(ticks.length);
  const axisY = top + plotH;
  const legendY = axisY + 62;
  const height = legendY + 40;

  const out: string[] = [];
  const text = (tx: number, ty: number, s: string, attrs = '') => out.push(`<text x="${f2(tx)}" y="${f2(ty)}" font-family="${CHART_FONT}"${attrs}>${esc(s)}</text>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${f2(height)}" viewBox="0 0 ${width} ${f2(height)}" font-family="${CHART_FONT}">`);
  out.push(`<rect width="${width}" height="${f2(height)}" fill="white"/>`);

  // title and subtitle
  const totalGpus = result.pools.reduce((a, p) => a + p.replicas * p.gpus_per_replica, 0);
  const spanNote = `${fmtSeconds(t1 - t0)} window from ${fmtSeconds(t0)}${opts.window ? '' : ' (the busiest)'}`;
  text(12, 24, opts.title ?? 'What each GPU runs, stage by stage', ' font-size="15" font-weight="bold" fill="#000000"');
  text(12, 42, `${gpus < totalGpus ? `first ${gpus} of ${totalGpus} GPUs` : `all ${totalGpus} GPU${totalGpus === 1 ? '' : 's'}`}, ${spanNote}; ${shown.length} requests, labelled by request id`, ' font-size="12" fill="#555555"');
  text(12, 58, 'bar: one request from start of service to video done; shade: light text encode, full denoise, dark VAE decode', ' font-size="12" fill="#555555"');

  out.push(`<g transform="translate(${left},${top})">`);
  // lane backgrounds (idle time shows as the light band), then grid lines
  lanes.forEach((l, i) => {
    out.push(`<rect x="0" y="${f2(y(i)!)}" width="${f2(plotW)}" height="${f2(y.bandwidth())}" fill="#f2f4f7"/>`);
  });
  for (const t of ticks) out.push(`<line x1="${f2(x(t))}" x2="${f2(x(t))}" y1="0" y2="${f2(plotH)}" stroke="#d9dde3" stroke-width="1"/>`);

  // request bars, split into stages
  const stageOf = new Map(result.service_times.map((s) => [`${s.pool}\u0000${s.class}`, s]));
  const poolOfReplica: string[] = [];
  for (const p of result.pools) for (let k = 0; k < p.replicas; k++) poolOfReplica.push(p.name);
  for (const r of shown) {
    const li = laneOfReplica.get(r.replica)!;
    const tracks = tracksOfLane[li]!;
    const h = y.bandwidth() / tracks;
    const by = y(li)! + track.get(r.id)! * h;
    const base = classColor.get(r.cls) ?? '#888888';
    const st = stageOf.get(`${poolOfReplica[r.replica]}\u0000${r.cls}`);
    const span = r.finish - r.start;
    const total = st ? st.encode_s + st.denoise_s + st.decode_s : 0;
    const k = total > 0 ? span / total : 0;
    const bounds = st && total > 0 ? [r.start, r.start + st.encode_s * k, r.start + (st.encode_s + st.denoise_s) * k, r.finish] : [r.start, r.start, r.finish, r.finish];
    const clip = (t: number) => x(Math.min(t1, Math.max(t0, t)) / u.seconds);
    STAGES.forEach((name, si) => {
      const a = clip(bounds[si]!);
      const b = clip(bounds[si + 1]!);
      if (b - a < 0.05) return;
      out.push(`<rect x="${f2(a)}" y="${f2(by)}" width="${f2(b - a)}" height="${f2(h)}" fill="${shade(base, STAGE_SHADE[name])}"><title>${esc(`${r.cls} #${r.id}: ${name}`)}</title></rect>`);
    });
    // a white hairline between back-to-back requests
    const a = clip(r.start);
    const b = clip(r.finish);
    out.push(`<rect x="${f2(a)}" y="${f2(by)}" width="${f2(b - a)}" height="${f2(h)}" fill="none" stroke="white" stroke-width="0.8"/>`);
    const label = `#${r.id}`;
    if (b - a >= label.length * 6 + 8 && h >= 10) {
      const da = clip(bounds[1]!);
      const db = clip(bounds[2]!);
      const cx = db - da >= label.length * 6 + 4 ? (da + db) / 2 : (a + b) / 2;
      text(cx, by + h / 2 + 3.5, label, ` font-size="${h >= 16 ? 10 : 9}" text-anchor="middle" fill="${luminance(base) > 0.6 ? '#222222' : '#ffffff'}"`);
    }
  }

  // lane labels and the time axis
  lanes.forEach((l, i) => text(-8, y(i)! + y.bandwidth() / 2 + 4, l.label, ' font-size="11" text-anchor="end" fill="#333333"'));
  out.push(`<line x1="0" x2="${f2(plotW)}" y1="${f2(plotH)}" y2="${f2(plotH)}" stroke="#888888" stroke-width="1"/>`);
  for (const t of ticks) {
    out.push(`<line x1="${f2(x(t))}" x2="${f2(x(t))}" y1="${f2(plotH)}" y2="${f2(plotH + 5)}" stroke="#888888" stroke-width="1"/>`);
    text(x(t), plotH + 18, tickFormat(t), ' font-size="11" text-anchor="middle" fill="#333333"');
  }
  text(plotW / 2, plotH + 38, `simulated time (${u.unit})`, ' font-size="12" text-anchor="middle" fill="#333333"');
  out.push('</g>');

  // legend, one row each: classes (their colours), stages (shades of grey)
  const legendRow = (ly: number, title: string, items: readonly { name: string; color: string }[]) => {
    text(left, ly, title, ' font-size="12" fill="#000000"');
    let lx = left + 100;
    for (const it of items) {
      const w = 15 + it.name.length * 6.6 + 18;
      if (lx + w > width - right && lx > left + 100) {
        lx = left + 100;
        ly += 18;
      }
      out.push(`<rect x="${f2(lx)}" y="${f2(ly - 10)}" width="11" height="11" fill="${it.color}"/>`);
      text(lx + 15, ly, it.name, ' font-size="11" fill="#000000"');
      lx += w;
    }
    return ly;
  };
  const ly = legendRow(legendY, 'request class', classNames.map((n) => ({ name: n, color: classColor.get(n)! })));
  const endY = legendRow(ly + 20, 'stage (shade)', STAGES.map((s) => ({ name: s, color: shade('#7f7f7f', STAGE_SHADE[s]) })));
  out.push('</svg>');
  // the height depends on how the legend wrapped: patch it in
  const h = f2(endY + 14);
  out[0] = out[0]!.replace(`height="${f2(height)}" viewBox="0 0 ${width} ${f2(height)}"`, `height="${h}" viewBox="0 0 ${width} ${h}"`);
  out[1] = `<rect width="${width}" height="${h}" fill="white"/>`;
  return { svg: out.join('\n') + '\n', window: [t0, t1], lanes: lanes.map((l) => l.label), requests: shown.length, gpus };
}
