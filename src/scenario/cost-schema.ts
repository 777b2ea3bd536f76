/**
 * `cost:`: prices and financial assumptions of a scenario (src/economics/README.md has the model and the
 * sources of every default; economics/cost-inputs.ts reads this section into the priced-system model). Also
 * what `vgsim tco --scenario/--set cost.…` reads (scenario/cost-input.ts).
 */
import { z } from 'zod';
import { canonicalId, listGpus, listNodes } from '../hardware/catalog.ts';
import { didYouMean } from '../errors.ts';
import { MAX_FABRIC_USD, MAX_PUE } from '../input-bounds.ts';
import { thousands } from '../units.ts';

/**
 * Upper bounds of the cost inputs: far above any real price, so that a typo (1e308, an extra six zeros) is an input
 * error with its field path instead of an infinite or meaningless cost.
 */
const usd = (max: number, why: string) => z.number().nonnegative().max(max, `at most $${thousands(max)} (${why})`);
const usdPositive = (max: number, why: string) => z.number().positive().max(max, `at most $${thousands(max)} (${why})`);
const SERVER_MAX = usdPositive(1e8, 'a whole GB200 NVL72 rack lists at $2-3M');
const PART_MAX = (positive: boolean) => (positive ? usdPositive : usd)(1e7, 'no GPU or server chassis costs $10M');
const FABRIC_MAX = usd(MAX_FABRIC_USD, 'a 64-port NDR switch is $36-50k');
const CAPEX_MAX = usd(1e11, 'a gigawatt AI campus is ~$40B');
/**
 * One value, or one per catalog id: a key the catalog does not know priced nothing, silently. Also the shape of
 * power.node_overhead_w (`what`: what is looked up by id; `error`: the message when neither shape fits).
 */
export const perNodeType = <T extends z.ZodType>(v: T, kind: 'node' | 'gpu', what = 'prices', error?: string) => z.union([v, z.record(z.string(), v).superRefine((rec, ctx) => {
  for (const key of Object.keys(rec)) {
    try {
      // prices are looked up by catalog id: an alias (dgx-b200 for dgx-b200-8) priced nothing, silently
      const id = canonicalId(kind, key);
      if (id !== key) ctx.addIssue({ code: 'custom', path: [key], message: `write the catalog id "${id}" for "${key}" (${what} are looked up by id)` });
    } catch {
      const ids = (kind === 'node' ? listNodes() : listGpus()).map((x) => x.id);
      const near = didYouMean(key, ids);
      ctx.addIssue({ code: 'custom', path: [key], message: `unknown ${kind === 'node' ? 'node type' : 'GPU'} "${key}"${near ? ` (${near})` : ` (see: vgsim list ${kind}s)`}` });
    }
  }
})], error ? { error } : undefined);

export const CostSchema = z
  .strictObject({
    basis: z.enum(['owned', 'cloud']).default('owned').describe('owned: buy and run the servers (capex amortized + opex); cloud: rent GPUs by the hour'),
    facility: z.enum(['colocation', 'owned']).default('colocation').describe('owned basis: rent colocation space ($/kW-month, PUE inside the rent) or run your own building (energy x PUE)'),
    electricity_usd_per_kwh: z.number().nonnegative().max(10, 'at most $10/kWh (over 100x the US industrial price)').optional().describe('default $0.0806 (US industrial average 2023)'),
    pue: z.number().min(1).max(MAX_PUE, `at most ${MAX_PUE} (the industry average is 1.58)`).optional().describe('billed energy / IT energy (default: 1 in colocation, 1.2 owned)'),
    colocation_usd_per_kw_month: usd(1e4, 'over 50x the CBRE North America rate').optional().describe('default $184.06 (CBRE N. America H2 2024)'),
    provisioned_kw: z.number().positive().max(1e7, 'at most 10 GW').optional().describe('colocation: rented IT power (default: the nodes\' nameplate power)'),
    power_basis: z.enum(['nameplate', 'estimate']).optional().describe('peak node power colocation rents (without provisioned_kw): nameplate = the PSU-rated maximum where the catalog has one, else the estimate; estimate = non-GPU busy power + GPUs x TDP for every node type (default nameplate)'),
    amortization_years: z.number().positive().max(50, 'at most 50 years').optional().describe('default 3'),
    financing_rate_pct: z.number().nonnegative().max(100, 'at most 100 %/year').optional().describe('loan rate, %/year (default 0: cash)'),
    maintenance_pct: z.number().nonnegative().max(100, 'at most 100 % of the hardware per year').optional().describe('support, % of hardware capex per year (default 20)'),
    residual_value_pct: z.number().min(0).max(100).optional().describe('resale value at the end, % of hardware (default 30)'),
    fabric_usd_per_port: FABRIC_MAX.optional().describe('scale-out fabric share per NIC port: switch ports, transceivers, cables (default $5,000 per 400G port, 2024-08; 0 for one node)'),
    networking_usd_per_gpu: FABRIC_MAX.optional().describe('the scale-out fabric as a flat figure per GPU instead of per NIC port (fabric_usd_per_port)'),
    storage_capex_usd: CAPEX_MAX.optional().describe('shared storage for the whole cluster'),
    extra_capex_usd: CAPEX_MAX.optional().describe('installation, software, facility fit-out'),
    server_price_usd: perNodeType(SERVER_MAX, 'node').optional().describe('whole-server price, or {node-type: price} (replaces the catalog quote or build-up)'),
    gpu_price_usd: perNodeType(PART_MAX(true), 'gpu').optional().describe('per-GPU price, or {gpu: price}: builds a server up as GPUs + server_base_usd'),
    server_base_usd: perNodeType(PART_MAX(false), 'node').optional().describe('the server without its GPUs (CPUs, DRAM, board, PSUs, cooling, NICs, local drives), or {node-type: price}: builds a server up with gpu_price_usd'),
    cloud: z
      .strictObject({
        usd_per_gpu_hour: perNodeType(usdPositive(1e3, 'the dearest listed GPU-hour is under $15'), 'gpu').optional().describe('list price (default: the catalog), or {gpu: price}'),
        billing: z.enum(['provisioned', 'awake', 'busy']).default('provisioned').describe('provisioned: every GPU all the time; awake: GPUs released while their replica sleeps (autoscaling); busy: per-second serverless billing'),
        reserved_fraction: z.number().min(0).max(1).optional(),
        reserved_discount_pct: z.number().min(0).max(100).optional(),
        egress_usd_per_month: usd(1e9, 'a billion dollars a month').optional(),
        storage_usd_per_month: usd(1e9, 'a billion dollars a month').optional(),
      })
      .default({ billing: 'provisioned' }),
  })
  .refine((c) => c.fabric_usd_per_port === undefined || c.networking_usd_per_gpu === undefined, { message: 'give the fabric per port (fabric_usd_per_port) or per GPU (networking_usd_per_gpu), not both', path: ['networking_usd_per_gpu'] })
  .describe('prices and financial assumptions (defaults from the sourced catalog; see src/economics/README.md)');
