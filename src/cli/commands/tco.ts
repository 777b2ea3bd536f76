/**
 * `vgsim tco`: how many nodes of each type a budget or a power envelope buys and what they produce (iso-cost /
 * iso-power). The comparison is studies/fleet.ts; the output report/tco.ts (tco.json, tco.csv, charts/, tco.html).
 */
import type { Command } from 'commander';
import { isoCompare, type IsoCompareResult } from '../../studies/fleet.ts';
import { getModel } from '../../workload/request.ts';
import { parseDuration, parseMoney, parseResolution } from '../../units.ts';
import { toJson } from '../../report/output.ts';
import { tcoDocument, tcoText, writeTcoOutput } from '../../report/tco.ts';
import { progress } from '../../report/progress.ts';
import { choiceFlag, collect, intFlag, numberFlag, UsageError } from '../usage-error.ts';
import { loadTcoInput } from '../../scenario/cost-input.ts';
import { splitList } from './size.ts';
import { MAX_FABRIC_USD, MAX_PUE } from '../../input-bounds.ts';
import { ATTENTION_CHOICES, type AttentionKernel } from '../../workload/ops.ts';
import { POWER_BASIS_CHOICES, type PowerBasisChoice } from '../../studies/comparison-notes.ts';

/** Capex and power past what 25,000 of the dearest and hungriest nodes take (a DGX B200 is about $0.5M and 14 kW). */
const MAX_BUDGET_USD = 1e11;
const MAX_MEGAWATTS = 1000;

export function registerTco(program: Command): void {
  program
    .command('tco')
    .description('iso-cost / iso-power: how many nodes of each type a budget or a power envelope buys, and what they produce')
    .requiredOption('--model <id>', 'model id')
    .option('--budget <usd>', 'capex budget, e.g. 10e6, 10M, 500k')
    .option('--megawatts <mw>', 'facility power envelope, MW')
    .option('--resolution <WxH>', 'video size (default: the model default)')
    .option('--frames <n>', 'frames')
    .option('--steps <n>', 'denoising steps')
    .option('--nodes <types>', 'node types, comma-separated (default: every catalog node type with 8+ GPUs)')
    .option('--scenario <file>', "take prices and financial assumptions from this scenario's cost: section, and the attention kernel from its inference.attention")
    .option('--set <cost.path=value>', 'override a price or assumption, e.g. --set cost.server_price_usd.dgx-b200-8=450000 (repeatable)', collect, [])
    .option('--facility <kind>', 'colocation (rent per kW) or owned (energy x PUE); same as --set cost.facility=…')
    .option('--networking-usd-per-gpu <usd>', 'scale-out fabric as a flat figure per GPU (default: $5,000 per 400G NIC port); same as --set cost.networking_usd_per_gpu=…')
    .option('--pue <x>', 'facility power / IT power for the power envelope (default 1.2; 1 for contracted IT power)')
    .option('--max-latency <duration>', 'latency objective: each node type runs its best layout by throughput among those whose one request on an idle replica takes at most this long; node types with none are not ranked (e.g. 10m)')
    .option('--all-layouts', 'also consider ring attention and PipeFusion layouts')
    .option('--attention <kernel>', `attention kernel of every row: ${ATTENTION_CHOICES.join('|')} (default: the scenario's inference.attention with --scenario, else auto: each GPU's engine default, FlashAttention-3 on Hopper, FlashAttention-2 elsewhere); a GPU without the kernel gets a row saying so`)
    .option('--power-basis <basis>', 'peak node power for every row: nameplate (PSU rating) or estimate (non-GPU busy power + GPUs x TDP); default: nameplate when every compared node type has one, else estimate')
    .option('--out <dir>', 'write tco.json, tco.csv, charts/ and tco.html')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Per-GPU throughput and energy per video come from the cost model's best layout per node type (vgsim plan
--rank throughput), every GPU busy around the clock: an upper bound on what a fleet serves (vgsim size
sizes for a latency objective instead).

Per basis, the fleets are ranked by videos/h: only node types that run the model (and, with --max-latency,
have a layout within it; for a budget, a price). The others are listed with the reason; the pick is printed
with the objective next to it. Exit codes: 0 every basis has a pick; 2 bad flags, or a basis has none (why).

Every row is counted at one peak power basis (printed with why) and names its attention kernel; when the
kernels differ (--attention auto: FlashAttention-3 on Hopper, FlashAttention-2 elsewhere) a note says so.

Every node is priced as a whole system: its whole-server quote, or its GPUs plus the server without its
GPUs (CPUs, DRAM, board, PSUs, cooling, NICs, drives), plus the scale-out fabric share per NIC port; the
output lists each price's source, date and basis. A node type whose parts the catalog lacks is skipped for
the budget (the reason names the fields to give) and counted without costs for the power envelope. Prices
and assumptions are the cost: fields of a scenario (scenario.schema.json), given with --scenario or --set.

Examples:
  $ vgsim tco --model wan2.2-t2v-a14b --resolution 1280x720 --budget 10e6
  $ vgsim tco --model wan2.2-t2v-a14b --resolution 1280x720 --budget 10e6 --max-latency 5m
  $ vgsim tco --model wan2.2-t2v-a14b --resolution 1280x720 --budget 10e6 --attention fa2 --power-basis estimate
  $ vgsim tco --model wan2.2-t2v-a14b --budget 10M --set cost.server_price_usd.dgx-b200-8=450000 --set cost.server_base_usd.l40s-pcie-8=25000
  $ vgsim tco --model wan2.2-t2v-a14b --resolution 1280x720 --megawatts 1 --nodes hgx-h20-8,hgx-h100-sxm-8,mi300x-8 --out out/tco`)
    .action(async (o: { model: string; budget?: string; megawatts?: string; resolution?: string; frames?: string; steps?: string; nodes?: string; facility?: string; networkingUsdPerGpu?: string; scenario?: string; set: string[]; pue?: string; maxLatency?: string; allLayouts?: boolean; attention?: string; powerBasis?: string; out?: string; json?: boolean }) => {
      if (o.budget === undefined && o.megawatts === undefined) throw new UsageError('give --budget <usd> or --megawatts <mw> (or both)');
      const budget = o.budget !== undefined ? parseMoney(o.budget) : undefined;
      if (o.budget !== undefined && budget === undefined) throw new UsageError(`--budget expects an amount such as 10e6, 10M or 500k, got "${o.budget}"`);
      const mw = o.megawatts !== undefined ? numberFlag('--megawatts', o.megawatts, 0) : undefined;
      if (mw !== undefined && !(mw > 0)) throw new UsageError('--megawatts must be positive');
      // bounds past any fleet a scenario can describe (25,000 nodes, scenario/bounds.ts): a 1e30 budget printed 3e24 nodes
      if (budget !== undefined && budget > MAX_BUDGET_USD) throw new UsageError(`--budget expects at most ${MAX_BUDGET_USD.toExponential(0)} USD (more than 25,000 nodes of any type cost), got "${o.budget}"`);
      if (mw !== undefined && mw > MAX_MEGAWATTS) throw new UsageError(`--megawatts expects at most ${MAX_MEGAWATTS} MW (more than 25,000 nodes of any type draw), got "${o.megawatts}"`);
      if (o.facility !== undefined && o.facility !== 'colocation' && o.facility !== 'owned') throw new UsageError(`--facility expects colocation or owned, got "${o.facility}"`);
      const res0 = o.resolution ? parseResolution(o.resolution) : undefined;
      if (o.resolution && !res0) throw new UsageError(`--resolution expects WIDTHxHEIGHT, got "${o.resolution}"`);
      const net = o.networkingUsdPerGpu !== undefined ? numberFlag('--networking-usd-per-gpu', o.networkingUsdPerGpu, 0, undefined, { max: MAX_FABRIC_USD, why: 'as cost.networking_usd_per_gpu: 20x a 64-port NDR switch' }) : undefined;
      const pue = o.pue !== undefined ? numberFlag('--pue', o.pue, 1, undefined, { max: MAX_PUE, why: 'as cost.pue; the industry average is 1.58' }) : undefined; // as cost.pue
      const maxLatencyS = o.maxLatency !== undefined ? parseDuration(o.maxLatency) : undefined;
      if (o.maxLatency !== undefined && !(maxLatencyS !== undefined && maxLatencyS > 0)) throw new UsageError(`--max-latency expects a positive duration such as 600, 10m or 1h, got "${o.maxLatency}"`);
      if (o.attention !== undefined) choiceFlag('--attention', o.attention, ATTENTION_CHOICES);
      if (o.powerBasis !== undefined && !(POWER_BASIS_CHOICES as readonly string[]).includes(o.powerBasis)) throw new UsageError(`--power-basis expects ${POWER_BASIS_CHOICES.join(' or ')}, got "${o.powerBasis}"`);
      const input = loadTcoInput({
        scenario: o.scenario,
        set: [...(o.facility !== undefined ? [`cost.facility=${o.facility}`] : []), ...(net !== undefined ? [`cost.networking_usd_per_gpu=${net}`] : []), ...o.set],
      });
      const cost = input.cost;
      // the flag, else the scenario's inference.attention (it was read for cost: only, and ignored)
      const attention = (o.attention ?? input.attention) as AttentionKernel | 'auto' | undefined;
      const bar = progress(1, 'tco', { enabled: !o.json });
      bar.message('estimating the best layout per node type');
      let res: IsoCompareResult;
      const model = getModel(o.model);
      try {
        res = isoCompare({
          model,
          request: { width: res0?.width, height: res0?.height, frames: o.frames ? intFlag('--frames', o.frames) : undefined, steps: o.steps ? intFlag('--steps', o.steps) : undefined },
          nodes: o.nodes ? splitList(o.nodes) : undefined, budgetUsd: budget, megawatts: mw, pue, allLayouts: o.allLayouts, maxLatencyS,
          cost, powerBasis: o.powerBasis as PowerBasisChoice | undefined,
          inference: attention !== undefined && attention !== 'auto' ? { attention } : undefined,
        });
      } finally {
        bar.done();
      }
      const files = o.out ? await writeTcoOutput(o.out, res, model.family) : [];
      const none = res.picks.filter((p) => p.node === null);
      if (none.length) process.exitCode = 2;
      process.stdout.write(o.json ? toJson(tcoDocument(res, model.family)) : tcoText(res, model.family));
      if (o.json) for (const p of none) process.stderr.write(`no recommendation (${p.basis}): ${p.reason}\n`);
      if (o.out && !o.json) process.stdout.write(`wrote ${files.length} files to ${o.out} (tco.html, tco.json, tco.csv, charts/)\n`);
    });
}
