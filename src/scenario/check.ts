/**
 * Semantic checks of a schema-valid scenario: ids that must exist in the catalogs, counts that must add
 * up. Each issue is located in the file that wrote the offending value.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { didYouMean, shown, type InputIssue } from '../errors.ts';
import type { LoadedScenario } from './load.ts';
import type { PathKey } from './yaml-source.ts';
import { listLinks, listNodes, canonicalId, getGpu } from '../hardware/catalog.ts';
import { powerLimitProblem } from '../perf/power-cap.ts';
import { linearDtypeProblem } from '../perf/linear-quant-rates.ts';
import { listModels } from '../workload/request.ts';
import { poolsOf, poolPlan, autoscalesOf, poolModelIds } from './pools.ts';
import { parsePlan, planGpus } from '../parallel/plan.ts';
import { InputError } from '../errors.ts';
import { checkRules, modelOf } from './rules.ts';
import { checkBounds } from './bounds.ts';
import { checkTrace } from './trace-check.ts';
import { resolveEngine } from '../engines/rules.ts';
import { engineCheckOptions, poolInferenceSpec } from '../engines/inference-spec.ts';
import { getModel } from '../workload/request.ts';
import { checkPostprocess } from './postprocess-check.ts';

const knownModel = (id: string) => listModels().some((m) => m.id === id.toLowerCase());
const knownId = (kind: 'node' | 'link', id: string) => {
  try {
    canonicalId(kind, id);
    return true;
  } catch {
    return false;
  }
};
const knownNode = (id: string) => knownId('node', id);

/**
 * Catalog ids (models, node types) checked on the raw merged document, so they are reported together with
 * schema errors rather than only after those are fixed.
 */
export function checkIds(raw: Record<string, unknown>, locate: LoadedScenario['locate']): InputIssue[] {
  const issues: InputIssue[] = [];
  const modelIds = listModels().map((m) => m.id);
  const nodeIds = listNodes().map((n) => n.id);
  const model = (path: PathKey[], v: unknown) => {
    if (typeof v === 'string' && !knownModel(v)) issues.push({ ...locate(path), path: path.join('.'), message: `unknown model ${shown(v)}`, hint: didYouMean(v, modelIds) ?? `known: ${modelIds.join(', ')}` });
  };
  const node = (path: PathKey[], v: unknown) => {
    if (typeof v === 'string' && !knownNode(v)) issues.push({ ...locate(path), path: path.join('.'), message: `unknown node type ${shown(v)}`, hint: didYouMean(v, nodeIds) ?? 'see: vgsim list nodes' });
  };
  model(['model'], raw.model);
  // the inter-node link (run looked it up only when it built the network, with no file:line)
  const link = (raw.cluster as { fabric?: { link?: unknown } } | undefined)?.fabric?.link;
  if (typeof link === 'string' && !knownId('link', link)) {
    const linkIds = listLinks().map((l) => l.id);
    issues.push({ ...locate(['cluster', 'fabric', 'link']), path: 'cluster.fabric.link', message: `unknown link ${shown(link)}`, hint: didYouMean(link, linkIds) ?? 'see: vgsim list links' });
  }
  const nodes = (raw.cluster as { nodes?: unknown } | undefined)?.nodes;
  if (Array.isArray(nodes)) nodes.forEach((n, i) => node(['cluster', 'nodes', i, 'type'], (n as { type?: unknown })?.type));
  const dep = raw.deployment;
  const pools = Array.isArray(dep) ? dep : dep ? [dep] : [];
  pools.forEach((p, i) => {
    const base: PathKey[] = Array.isArray(dep) ? ['deployment', i] : ['deployment'];
    model([...base, 'model'], (p as { model?: unknown })?.model);
    const shared = (p as { models?: unknown })?.models;
    if (Array.isArray(shared)) shared.forEach((m, j) => (typeof m === 'string' ? model([...base, 'models', j], m) : model([...base, 'models', j, 'model'], (m as { model?: unknown })?.model)));
    node([...base, 'node'], (p as { node?: unknown })?.node);
  });
  const mix = (raw.workload as { mix?: unknown } | undefined)?.mix;
  if (Array.isArray(mix)) mix.forEach((c, i) => model(['workload', 'mix', i, 'model'], (c as { model?: unknown })?.model));
  const traceModels = (raw.workload as { trace_models?: unknown } | undefined)?.trace_models;
  if (traceModels && typeof traceModels === 'object') for (const [k, v] of Object.entries(traceModels)) model(['workload', 'trace_models', k], v);
  return issues;
}

/** The semantic problems of a loaded scenario; `readable` (the HTTP server's file policy) guards the trace it opens. */
export function checkScenario(loaded: LoadedScenario, readable?: (absPath: string) => string | undefined): InputIssue[] {
  const s = loaded.scenario;
  const issues: InputIssue[] = [];
  const at = (path: PathKey[], message: string, hint?: string) => issues.push({ ...loaded.locate(path), path: path.join('.'), message, hint });

  const gpusByNode = new Map<string, number>();
  s.cluster.nodes.forEach((n) => {
    if (!knownNode(n.type)) return; // reported by checkIds
    const id = canonicalId('node', n.type);
    const spec = listNodes().find((x) => x.id === id)!;
    gpusByNode.set(id, (gpusByNode.get(id) ?? 0) + spec.gpusPerNode * n.count);
  });

  const pools = poolsOf(s);
  const deploymentPath = (i: number): PathKey[] => (Array.isArray(s.deployment) ? ['deployment', i] : ['deployment']);
  const used = new Map<string, number>();
  pools.forEach((p, i) => {
    const base = deploymentPath(i);
    const node = p.node ?? s.cluster.nodes[0]?.type;
    const nodeId = node && knownNode(node) ? canonicalId('node', node) : undefined;
    if (nodeId && !gpusByNode.has(nodeId)) at([...base, 'node'], `node type "${node}" is not in cluster.nodes`, `add it to cluster.nodes or use one of: ${[...gpusByNode.keys()].join(', ')}`);
    let perReplica = p.gpus_per_replica ?? 1;
    let dp = 1;
    try {
      const { plan, dp: copies, gpus: need } = poolPlan(p, `${loaded.locate([...base, 'parallel']).source}`);
      dp = copies;
      if (p.gpus_per_replica !== undefined && p.gpus_per_replica !== need) {
        at([...base, 'gpus_per_replica'], `parallel "${p.parallel}" needs ${need} GPUs per replica, not ${p.gpus_per_replica}`, `set gpus_per_replica: ${need} or change the plan`);
      }
      perReplica = need;
      // the pool's engine runs this layout and these knobs for each model it serves (vgsim list engines)
      const spec = poolInferenceSpec(s.inference, p);
      const where = (key: string): PathKey[] => (key === 'parallel' ? [...base, 'parallel'] : p.inference && key in p.inference ? [...base, 'inference', key] : key === 'engine' && p.engine ? [...base, 'engine'] : key in s.inference ? ['inference', key] : [...base, 'engine']);
      // quantised linears the pool's GPU has no rate for (no fp8 tensor cores, no priced INT8): the run exited 1
      const gpu = nodeId ? getGpu(listNodes().find((x) => x.id === nodeId)!.gpu) : undefined;
      for (const key of ['dtype', 'text_encoder_dtype'] as const) {
        const problem = gpu && spec[key] ? linearDtypeProblem(gpu, spec[key]) : undefined;
        if (problem) at(where(key), `${problem.message} (node type ${nodeId})`, problem.hint);
      }
      for (const id of poolModelIds(p, s.model)) {
        if (!nodeId || !knownModel(id)) continue;
        try {
          const own = p.models?.find((m) => typeof m !== 'string' && m.model === id);
          const modelPlan = own && typeof own !== 'string' ? { ...parsePlan(own.parallel), dp: 1 } : plan;
          resolveEngine(engineCheckOptions(spec, 'inference'), modelPlan, getModel(id), getGpu(listNodes().find((x) => x.id === nodeId)!.gpu));
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          for (const i of e.issues) if (!issues.some((x) => x.message === i.message)) at(where(i.path), i.message, i.hint);
        }
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      for (const i of e.issues) at([...base, 'parallel'], i.message, i.hint);
    }
    if (nodeId) used.set(nodeId, (used.get(nodeId) ?? 0) + p.replicas * dp * perReplica);
    // a pool's own power limit applies to its node type's GPU (the scenario-level one is checked below for every node type)
    const poolCap = p.inference?.power_limit_w;
    if (poolCap !== undefined && nodeId) {
      const problem = powerLimitProblem(getGpu(listNodes().find((x) => x.id === nodeId)!.gpu), poolCap);
      if (problem) at([...base, 'inference', 'power_limit_w'], `${problem.message} (node type ${nodeId})`, problem.hint);
    }
    if (p.models) {
      // shared replicas (src/serving/model-swap.ts) hold every model in host memory from the start
      if (p.model !== undefined) at([...base, 'models'], 'give model (one model) or models (a shared pool), not both');
      if (!p.warm) at([...base, 'warm'], 'a shared pool starts warm (every model in host memory); cold starts load one model', 'drop warm: false');
      if (!['encode', 'denoise', 'decode'].every((st) => p.stages.includes(st as 'encode'))) at([...base, 'stages'], 'a shared pool runs whole requests; it cannot be combined with stage disaggregation');
      const name = p.name ?? `pool${i}`;
      if (autoscalesOf(s).some((a) => a.pool === undefined || a.pool === name)) at([...base, 'models'], 'autoscaling a shared pool is not modelled (a woken replica would load one model)', 'autoscale other pools (autoscale.pool)');
      p.models.forEach((m, j) => {
        if (typeof m === 'string') return;
        try {
          const need = planGpus({ ...parsePlan(m.parallel, `${loaded.locate([...base, 'models', j, 'parallel']).source}`), dp: 1 });
          if (need !== perReplica) at([...base, 'models', j, 'parallel'], `"${m.parallel}" needs ${need} GPUs but the pool's replicas have ${perReplica}`, 'a shared replica runs every model on the same GPUs');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          for (const x of e.issues) at([...base, 'models', j, 'parallel'], x.message, x.hint);
        }
      });
    }
    const order = ['encode', 'denoise', 'decode', 'postprocess'];
    const idx = p.stages.map((st) => order.indexOf(st));
    if (idx.some((v, j) => j > 0 && v !== idx[j - 1]! + 1)) at([...base, 'stages'], `stages must be consecutive and in order (encode, denoise, decode, postprocess), got [${p.stages.join(', ')}]`, 'e.g. [encode], [denoise], [denoise, decode], [postprocess]');
    if (!['encode', 'denoise', 'decode'].every((st) => p.stages.includes(st as never)) && /experts=split/.test(p.parallel)) at([...base, 'stages'], 'a split-expert replica (experts=split) runs the whole request; it cannot be combined with stage disaggregation');
  });
  // with disaggregation, every stage of every served model needs a pool
  const byModel = new Map<string, Set<string>>();
  for (const p of pools) {
    for (const m of poolModelIds(p, s.model).map((x) => x.toLowerCase())) {
      if (!byModel.has(m)) byModel.set(m, new Set());
      for (const st of p.stages) byModel.get(m)!.add(st);
    }
    const own = (p.model ?? s.model).toLowerCase();
    if (p.stages.length === 1 && p.stages[0] === 'postprocess' && !s.workload.mix.some((c) => c.postprocess && (c.model ?? s.model).toLowerCase() === own)) at(deploymentPath(pools.indexOf(p)), `pool "${p.name ?? pools.indexOf(p)}" runs only the postprocess stage, but no class of model "${own}" has a postprocess chain`, 'add postprocess: {...} to a workload.mix class, or remove the pool');
  }
  for (const [m, st] of byModel) {
    const missing = ['encode', 'denoise', 'decode'].filter((x) => !st.has(x));
    if (missing.length) at(['deployment'], `model "${m}": no pool runs the ${missing.join(' and ')} stage${missing.length > 1 ? 's' : ''}`, `add a pool with model: ${m} and stages: [${missing.join(', ')}]`);
  }
  for (const [nodeId, need] of used) {
    const have = gpusByNode.get(nodeId) ?? 0;
    if (have > 0 && need > have) at(['deployment'], `the pools need ${need} GPUs of node type ${nodeId} but the cluster has ${have}`, 'lower replicas or gpus_per_replica, or add nodes');
  }

  const arr = s.workload.arrivals;
  if (arr.process === 'poisson' || arr.process === 'gamma') {
    const set = (['rate_per_hour', 'rate_per_min', 'rate_per_s'] as const).filter((k) => arr[k] !== undefined);
    if (set.length !== 1) at(['workload', 'arrivals'], set.length === 0 ? 'missing the arrival rate' : `give one rate, not ${set.join(' and ')}`, 'one of rate_per_hour, rate_per_min, rate_per_s');
  } else if (arr.process === 'trace') {
    const src = loaded.locate(['workload', 'arrivals', 'file']).source;
    const file = resolve(src.startsWith('--') ? '.' : dirname(src), arr.file);
    const denied = readable?.(file);
    if (denied !== undefined) at(['workload', 'arrivals', 'file'], `"${arr.file}" is ${denied}`);
    else if (!existsSync(file)) at(['workload', 'arrivals', 'file'], `trace file not found: ${file}`);
    else issues.push(...checkTrace(s, file, new Set(pools.flatMap((p) => poolModelIds(p, s.model)).map((m) => modelOf(m)?.id ?? '')), loaded.locate(['workload', 'arrivals', 'file'])));
  }
  const cap = s.inference.power_limit_w;
  if (cap !== undefined) {
    for (const nodeId of gpusByNode.keys()) {
      const gpu = getGpu(listNodes().find((x) => x.id === nodeId)!.gpu);
      const problem = powerLimitProblem(gpu, cap);
      if (problem) at(['inference', 'power_limit_w'], `${problem.message} (node type ${nodeId})`, problem.hint);
    }
  }
  const served = new Set(pools.flatMap((p) => poolModelIds(p, s.model)).map((m) => m.toLowerCase()));
  s.workload.mix.forEach((c, i) => {
    const model = (c.model ?? s.model).toLowerCase();
    if (knownModel(model) && !served.has(model)) at(['workload', 'mix', i, 'model'], `no deployment pool serves model "${model}"`, `add a pool with model: ${model}`);
  });
  issues.push(...checkRules(s, loaded.locate), ...checkBounds(s, loaded.locate), ...checkPostprocess(loaded));
  return issues;
}
