/**
 * What vgsim knows — GPUs, models, links, node types, storage tiers and the scenario library — as table
 * rows (for `vgsim list`) and as JSON (for `vgsim list --json`, the library and GET /api/<kind>).
 */
import { InputError } from '../errors.ts';
import { listGpus, listLinks, listNodes, listStorage } from '../hardware/catalog.ts';
import { listModels } from '../workload/request.ts';
import { ditParams } from '../workload/models.ts';
import { builtinProfile } from '../perf/profile.ts';
import { libraryScenarios } from '../scenario/library.ts';
import type { Cell } from '../report/table.ts';
import { ENGINES, ENGINE_IDS } from '../engines/profiles.ts';
import { engineCells, TERMINAL_CELLS } from '../engines/describe.ts';
import { evidenceCell, evidenceLedger, gpuEvidence, HELD_OUT_SETS, type ErrorStats } from '../perf/gpu-evidence.ts';

export const CATALOG_KINDS = ['gpus', 'models', 'links', 'nodes', 'storage', 'scenarios', 'engines', 'evidence'] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

export interface Listing {
  headers: string[];
  rows: Cell[][];
  json: readonly unknown[];
}

const nodeTypesOf = (gpuId: string) => listNodes().filter((n) => n.gpu === gpuId).map((n) => n.id);
/** What `vgsim list gpus` says of a GPU no node type carries (estimate, plan and scenarios need a node type). */
const NO_NODE_TYPE = 'none (no estimate, plan or run)';

export function listing(kind: CatalogKind): Listing {
  switch (kind) {
    case 'gpus': {
      const g = listGpus();
      return {
        headers: ['id', 'name', 'memory GB', 'HBM GB/s', 'bf16 TFLOP/s', 'fp8', 'TDP W', 'node types', 'profile · held-out time error (cases)'],
        rows: g.map((x) => {
          const e = gpuEvidence(x.id);
          return [x.id, x.name, x.memGB, x.memBwGBs, x.tflops.bf16, x.tflops.fp8 ?? '-', x.tdpW, nodeTypesOf(x.id).join(', ') || NO_NODE_TYPE, e ? evidenceCell(e) : builtinProfile(x.id) ? 'measured' : 'extrapolated'];
        }),
        // which node types carry each GPU: one no node type carries cannot be estimated, planned or put in a cluster
        json: g.map((x) => ({ ...x, nodeTypes: nodeTypesOf(x.id) })),
      };
    }
    case 'models': {
      const m = listModels();
      return {
        headers: ['id', 'family', 'task', 'experts', 'DiT params (B)', 'layers', 'dim', 'heads', 'VAE', 'default shape', 'guidance', 'source'],
        rows: m.map((x) => [
          x.id, x.family, x.task, x.experts, ditParams(x.dit) / 1e9, x.dit.layers, x.dit.dim, x.dit.heads, x.vae.id,
          `${x.defaults.width}x${x.defaults.height}x${x.defaults.frames}f/${x.defaults.steps}st`,
          x.defaults.guidance ? `CFG ${x.sampler.guidance}` : x.sampler.guidance === 'embedded' ? 'distilled' : 'none',
          x.release ?? x.sources.custom ?? '',
        ]),
        json: m,
      };
    }
    case 'links': {
      const l = listLinks();
      return { headers: ['id', 'name', 'kind', 'GB/s per dir', 'latency us', 'busbw eff'], rows: l.map((x) => [x.id, x.name, x.kind, x.perDirGBs, x.latencyUs, x.busBwEfficiency]), json: l };
    }
    case 'nodes': {
      const n = listNodes();
      return { headers: ['id', 'name', 'gpu', 'gpus', 'fabric', 'nics'], rows: n.map((x) => [x.id, x.name, x.gpu, x.gpusPerNode, `${x.intraNode.topology}/${x.intraNode.link}`, x.nics.count ? `${x.nics.count}x ${x.nics.link}` : '-']), json: n };
    }
    case 'storage': {
      const s = listStorage();
      return { headers: ['id', 'name', 'kind', 'read GB/s'], rows: s.map((x) => [x.id, x.name, x.kind, x.readGBs]), json: s };
    }
    case 'engines': {
      // what each serving engine runs for Wan (src/engines/profiles.ts); --json has the source of every field
      const e = ENGINE_IDS.map((id) => ENGINES[id]);
      return {
        headers: ['id', 'DiT kernels', 'attention (default Hopper)', 'compile', 'parallel', 'CFG', 'offload', 'off the GPU by default', 'VAE', 'umT5', 'fp8/int8', 'caches', 'shift 1.3B/14B/I2V-480P/A14B', 'distill', 'LoRA', 'source'],
        rows: e.map((x) => {
          const c = engineCells(x, TERMINAL_CELLS);
          return [x.id, c.kernels, c.attention, c.compile, c.parallel, c.cfg, c.offload, c.offGpu, c.vae, c.umt5, c.quant, c.caches, c.shift, c.distill, c.lora, c.source];
        }),
        json: e,
      };
    }
    case 'evidence': {
      // what answers rest on (src/perf/gpu-evidence.ts): per GPU, then per engine and model family over every GPU;
      // --json has every held-out row
      const l = evidenceLedger();
      const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
      const stats = (t: ErrorStats) => [t.n, pct(t.median_abs), pct(t.median), t.p10 === null ? '-' : `${pct(t.p10)}…${pct(t.p90)}`, t.n ? `${t.within_10}/${t.n}` : '-', pct(t.max_abs)];
      return {
        headers: ['scope', 'id', 'profile', 'time cases', 'multi-GPU', 'median |err|', 'median err', 'p10…p90 err', 'within 10%', 'max |err|', 'memory cases', 'memory median |err|', 'loose', 'rows per set / GPUs'],
        rows: [
          ...(l?.gpus ?? []).map((x) => {
            const [n, ...rest] = stats(x.time);
            return ['gpu', x.gpu, x.profile, n!, x.multi_gpu_time, ...rest, x.memory.n, pct(x.memory.median_abs), x.loose, HELD_OUT_SETS.filter((s) => x.sets[s]).map((s) => `${s} ${x.sets[s]}`).join(', ') || '-'];
          }),
          ...(['engine', 'family'] as const).flatMap((kind) => ((kind === 'engine' ? l?.engines : l?.families) ?? []).map((x) => {
            const [n, ...rest] = stats(x.time);
            return [kind, x.id, '-', n!, '-', ...rest, x.memory.n, pct(x.memory.median_abs), x.loose, x.gpus.join(', ')];
          })),
        ],
        json: l ? [l] : [],
      };
    }
    case 'scenarios': {
      // the package's library (not ./scenarios of the current folder); any command takes these names
      const lib = libraryScenarios();
      const rows = lib.map((s) => [`scenarios/${s.id}`, s.name, s.description.slice(0, 80)]);
      return { headers: ['file', 'name', 'description'], rows, json: lib.map((s) => ({ file: `scenarios/${s.id}`, name: s.name, description: s.description })) };
    }
    default:
      // a library caller's kind is not checked by a CLI flag: it returned undefined
      throw new InputError([{ source: 'listing', path: 'kind', message: `unknown catalog kind ${JSON.stringify(kind)}`, hint: `one of ${CATALOG_KINDS.join(', ')}` }]);
  }
}
