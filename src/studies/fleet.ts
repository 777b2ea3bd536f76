/**
 * Fleets for a budget or a power envelope (`vgsim tco`): how many nodes of each type a capex budget or a facility
 * power envelope buys, and what that fleet produces — per-GPU throughput and energy per video from the cost
 * model's best layout of each node type (every GPU busy around the clock: an upper bound on what a real fleet
 * serves), priced by isoCost/isoPower (src/economics). A node type without a price is skipped for the budget
 * (with the reason) but still counted for the power envelope (without costs).
 *
 * The recommendation: per basis (budget, power), the fleets are ranked by videos per hour — only those that
 * meet the objectives: the model runs on the node type (a layout fits), one request on an idle replica of that
 * layout takes at most `maxLatencyS` when given (the layout is then the best by throughput among those within
 * it), and, for a budget, the node has a price. The others are listed unranked with the reason; when none is
 * ranked the basis has no pick and says why.
 */
import { isoCost, isoPower, MissingPriceError, type IsoResult, type SystemPrice } from '../economics/index.ts';
import { assumptionsOf, priceInputsOf } from '../economics/cost-inputs.ts';
import { CostSchema, type CostSpec } from '../scenario/schema.ts';
import type { InferenceOptions } from '../perf/estimate.ts';
import { resolveRequest, type RequestShape } from '../workload/request.ts';
import type { ModelSpec } from '../workload/models.ts';
import { canonicalId, getNode, listNodes } from '../hardware/catalog.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { noPlanReason, runnable, searchPlans, type PlanRow } from './plan-search.ts';
import { formatDuration } from '../units.ts';
import { InputError } from '../errors.ts';
import { errorText, type Skipped } from './size-layouts.ts';
import { attentionMixNote, choosePowerBasis, powerProxyNote, type PowerBasisChoice } from './comparison-notes.ts';

export interface IsoCompareOptions {
  model: ModelSpec;
  request?: Partial<RequestShape>;
  /** Node type ids (default: every catalog node type with 8 or more GPUs). */
  nodes?: readonly string[];
  budgetUsd?: number;
  megawatts?: number;
  inference?: Partial<InferenceOptions>;
  /** Prices and assumptions, as a scenario's cost: section (default: the catalog's). */
  cost?: CostSpec;
  /** Facility / IT power for the envelope and the reported facility power (default 1.2). */
  pue?: number;
  allLayouts?: boolean;
  /** Latency objective: one request on an idle replica within this many seconds (the layout is the best by throughput within it). */
  maxLatencyS?: number;
  /** Peak node power for every row: 'nameplate' or 'estimate' (default: nameplate when every node type has one, else estimate for all). */
  powerBasis?: PowerBasisChoice;
}

export interface IsoRow {
  basis: 'budget' | 'power';
  /** 1 = most videos/h among the fleets of this basis that meet the objectives; null for the others. */
  rank: number | null;
  /** Why not ranked (cannot run the model, over the latency objective, no price); null for a ranked row. */
  reason: string | null;
  node: string;
  gpu: string;
  /** Best layout by throughput per GPU, null when the model does not run on this GPU. */
  parallel: string | null;
  nodes: number;
  gpus: number;
  throughput_per_gpu_h: number | null;
  latency_s: number | null;
  /** The attention kernel the row's layout runs (--attention auto: the engine's default on this GPU); null when the model does not run. */
  attention: string | null;
  /** The serving engine whose code the layout runs (Estimate.engine); null when the model does not run. */
  engine: string | null;
  fleet_videos_per_h: number | null;
  fleet_capex_usd: number | null;
  /** One node as a whole system (server + fabric share), null without a price. */
  node_price_usd: number | null;
  /** How the node was priced: a whole-server quote or GPUs + host platform (never GPUs alone). */
  price_basis: SystemPrice['basis'] | null;
  /** Every component of the node price with its source and date. */
  price: SystemPrice | null;
  it_power_kw: number;
  facility_power_kw: number;
  /** The peak power basis of the row (one for every row: IsoCompareResult.power_basis). */
  power_basis: 'nameplate' | 'estimate';
  usd_per_month: number | null;
  usd_per_video: number | null;
  /** IT energy per video from the cost model, kWh. */
  kwh_per_video: number | null;
  note: string;
  notes: string[];
  warnings: string[];
}

export interface IsoCompareResult {
  model: string;
  request: { width: number; height: number; frames: number; steps: number };
  budget_usd: number | null;
  megawatts: number | null;
  /** What a ranked fleet meets, on one line (a budget's also needs a price: IsoPick.objective). */
  objective: string;
  max_latency_s: number | null;
  /** Per basis: the fleet with the most videos/h among those meeting the objective (null: none does, see reason). */
  picks: IsoPick[];
  rows: IsoRow[];
  skipped: Skipped[];
  /** The node peak power every row is counted at (iso-power node counts, colocation per kW) and why that one. */
  power_basis: { basis: 'nameplate' | 'estimate'; why: string };
  /** What the rows were not priced alike on: attention kernels that differ, non-GPU power borrowed from another system. */
  notes: string[];
}

export interface IsoPick {
  basis: IsoRow['basis'];
  /** What a ranked fleet of this basis meets. */
  objective: string;
  /** The rank-1 node type, or null when no fleet of this basis meets the objective. */
  node: string | null;
  /** Why there is no pick; null when there is one. */
  reason: string | null;
}

/** Best layout of a node type by throughput per GPU (estimate of one replica busy back to back). */
function bestLayout(model: ModelSpec, node: NodeSpec, request: Partial<RequestShape> | undefined, inference: Partial<InferenceOptions> | undefined, all: boolean, maxLatencyS: number | undefined): { row?: PlanRow; reason?: string; slow?: PlanRow } {
  try {
    const rows = searchPlans({ model, node: node.id, gpu: node.gpu, budget: node.gpusPerNode, request, options: { ...inference, offload: false }, objective: 'throughput', maxLatencyS, include: all ? undefined : { ring: false, pipefusion: false } });
    const best = rows.find((r) => r.rank === 1);
    if (best) return { row: best };
    // fits, but no layout within the latency objective: the best by throughput still counts the fleet, unranked
    const fits = rows.find(runnable); // a what-if the engine's code does not run is never the fleet's layout
    if (fits) return { row: fits, slow: fits, reason: noPlanReason(rows, maxLatencyS) ?? undefined };
    return { reason: `cannot run ${model.id}: ${rows.find((r) => r.parallel === 'offload')?.reason ?? (rows.find((r) => !r.what_if) ?? rows[0])?.reason ?? 'no valid layout'}` };
  } catch (e) {
    return { reason: errorText(e) };
  }
}

/**
 * How many nodes of each type a budget or a power envelope buys, and what that fleet produces: per-GPU
 * throughput and energy per video from the cost model's best layout (every GPU busy around the clock: an upper
 * bound on what a real fleet serves), priced by isoCost/isoPower (src/economics). A node type without a price is
 * skipped for the budget (with the reason) but still counted for the power envelope (without costs).
 */
export function isoCompare(o: IsoCompareOptions): IsoCompareResult {
  if (o.budgetUsd === undefined && o.megawatts === undefined) throw new Error('give a budget (USD) or a power envelope (MW)');
  const req = resolveRequest(o.model, o.request);
  const nodeIds = o.nodes ? [...new Set(o.nodes.map((n) => canonicalId('node', n)))] : listNodes().filter((n) => n.gpusPerNode >= 8).map((n) => n.id);
  const rows: IsoRow[] = [];
  const skipped: Skipped[] = [];
  const cost = o.cost ?? CostSchema.parse({});
  // an owned fleet bought with a budget (or fitted to a power envelope): a cloud basis has no purchase to size, and
  // was priced as owned without a word
  if (cost.basis === 'cloud') {
    throw new InputError([{ source: 'cost', path: 'cost.basis', message: 'tco sizes owned fleets from a capital budget or a power envelope; cost.basis cloud rents GPUs by the hour and has no purchase to size', hint: 'for rented GPUs rank by $/month with vgsim size (cost.basis: cloud), or compare scenarios with vgsim compare' }]);
  }
  const settings = { assumptions: assumptionsOf(cost), pue: o.pue };
  // one power basis for every row: a nameplate for some and an estimate for others counted the same silicon 21% apart
  const power = choosePowerBasis(nodeIds.map((id) => getNode(id)), o.powerBasis);
  const objective = `the model runs on the node${o.maxLatencyS !== undefined ? `, one request on an idle replica within ${formatDuration(o.maxLatencyS)}` : ''}`;
  const objectiveOf = (basis: IsoRow['basis']) => (basis === 'budget' ? `${objective}, the node has a price` : objective);
  for (const id of nodeIds) {
    const node = getNode(id);
    const best = bestLayout(o.model, node, o.request, o.inference, o.allLayouts ?? false, o.maxLatencyS);
    const e = best.row?.estimate;
    const option = {
      node: node.id,
      ...priceInputsOf(cost, node),
      powerBasis: power.basis,
      videosPerHourPerGpu: best.row?.throughput_per_gpu_h,
      itKwhPerVideo: e ? e.energy_wh / e.power.pue / 1000 : undefined,
    };
    const toRow = (basis: IsoRow['basis'], r: IsoResult): IsoRow => {
      const noteParts: string[] = [];
      if (!best.row) noteParts.push(`cannot run the model${/OOM/.test(best.reason ?? '') ? ' (out of memory)' : ''}: counts only (see skipped)`);
      if (best.row?.tight) noteParts.push('memory tight: may not fit');
      if (r.perNode.price === null) noteParts.push('no price: counts only');
      const why = !best.row ? `cannot run the model: ${best.reason ?? 'no layout'}`
        : best.slow ? `over the latency objective: ${best.reason}`
        : basis === 'budget' && r.perNode.price === null ? 'no price: counts only'
        : r.fleet.videosPerHour === null || !(r.fleet.videosPerHour > 0) ? `no node fits ${basis === 'budget' ? 'the budget' : 'the power envelope'}`
        : null;
      return {
        basis, rank: null, reason: why, node: node.id, gpu: node.gpu, parallel: best.row?.parallel ?? null, nodes: r.nodes, gpus: r.gpus,
        throughput_per_gpu_h: best.row?.throughput_per_gpu_h ?? null, latency_s: best.row?.latency_s ?? null, attention: e?.options.attention_kernel ?? null, engine: e?.engine ?? null,
        fleet_videos_per_h: r.fleet.videosPerHour, fleet_capex_usd: r.fleet.capexUsd, node_price_usd: r.perNode.capexUsd, price_basis: r.perNode.price?.basis ?? null, price: r.perNode.price, it_power_kw: r.fleet.itPowerKw, facility_power_kw: r.fleet.facilityPowerKw, power_basis: power.choice,
        usd_per_month: r.fleet.monthlyCostUsd, usd_per_video: r.fleet.usdPerVideo, kwh_per_video: option.itKwhPerVideo ?? null,
        note: noteParts.join('; '), notes: r.notes, warnings: r.warnings,
      };
    };
    if (!best.row) skipped.push({ node: node.id, reason: `${best.reason ?? 'no layout'} (counted without throughput)` });
    else if (best.slow) skipped.push({ node: node.id, reason: `${best.reason} (counted, not ranked)` });
    if (o.budgetUsd !== undefined) {
      try {
        rows.push(toRow('budget', isoCost(o.budgetUsd, [option], settings)[0]!));
      } catch (err) {
        if (!(err instanceof MissingPriceError)) throw err;
        skipped.push({ node: node.id, reason: `iso-cost: ${err.message}` });
      }
    }
    if (o.megawatts !== undefined) rows.push(toRow('power', isoPower(o.megawatts, [option], settings)[0]!));
  }
  // ranked rows first (most videos/h), then the others
  const sortKey = (r: IsoRow) => (r.reason === null ? 0 : 1e12) - (r.fleet_videos_per_h ?? -1);
  rows.sort((a, b) => (a.basis === b.basis ? sortKey(a) - sortKey(b) || a.node.localeCompare(b.node) : a.basis === 'budget' ? -1 : 1));
  const picks: IsoPick[] = [];
  for (const basis of ['budget', 'power'] as const) {
    const mine = rows.filter((r) => r.basis === basis);
    if (basis === 'budget' ? o.budgetUsd === undefined : o.megawatts === undefined) continue;
    let rank = 0;
    for (const r of mine) if (r.reason === null) r.rank = ++rank;
    const first = mine.find((r) => r.rank === 1);
    // for a budget, node types without a price have no row: they are among the misses too
    const misses = [...mine.map((r) => `${r.node}: ${r.reason}`), ...(basis === 'budget' ? skipped.filter((x) => x.reason.startsWith('iso-cost:')).map((x) => `${x.node}: ${x.reason}`) : [])];
    picks.push({
      basis, objective: objectiveOf(basis), node: first?.node ?? null,
      reason: first ? null : misses.length ? `none of ${misses.length} node type${misses.length === 1 ? '' : 's'} meets the objective (${objectiveOf(basis)}): ${misses.slice(0, 4).join('; ')}${misses.length > 4 ? '; …' : ''}` : 'no node type to compare',
    });
  }
  const notes = [attentionMixNote(rows.map((r) => ({ ...r, engine: r.engine ?? undefined }))), powerProxyNote(nodeIds)].filter((n): n is string => n !== null);
  return {
    model: o.model.id, request: { width: req.width, height: req.height, frames: req.frames, steps: req.steps },
    budget_usd: o.budgetUsd ?? null, megawatts: o.megawatts ?? null, objective, max_latency_s: o.maxLatencyS ?? null, picks, rows, skipped,
    power_basis: { basis: power.choice, why: power.why }, notes,
  };
}
