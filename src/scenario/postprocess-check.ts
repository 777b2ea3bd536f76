/**
 * Semantic checks of the classes' post-processing chains against the deployment: the chain fits the model's
 * video (interpolation above its frame rate, an upscale within ×4), some pool runs the postprocess stage of
 * the class's model, and an NVENC encode lands only on pools whose GPU has NVENC engines (H100, H200 and A100
 * have none).
 */
import type { InputIssue } from '../errors.ts';
import type { LoadedScenario } from './load.ts';
import type { PathKey } from './yaml-source.ts';
import { poolsOf } from './pools.ts';
import { canonicalId, getNode, listNodes } from '../hardware/catalog.ts';
import { getModel, listModels, resolveRequest } from '../workload/request.ts';
import { chainOf, chainProblems, type Codec } from '../workload/postprocess/chain.ts';
import { NVENC_ENGINES, nvencProblem } from '../hardware/video-encoders.ts';


export function checkPostprocess(loaded: LoadedScenario): InputIssue[] {
  const s = loaded.scenario;
  const issues: InputIssue[] = [];
  const at = (path: PathKey[], message: string, hint?: string) => issues.push({ ...loaded.locate(path), path: path.join('.'), message, hint });
  const pools = poolsOf(s);
  const nodeIds = new Set(listNodes().map((n) => n.id));
  const gpuOf = (node: string | undefined): string | undefined => {
    try {
      const id = canonicalId('node', node ?? s.cluster.nodes[0]!.type);
      return nodeIds.has(id) ? getNode(id).gpu : undefined;
    } catch {
      return undefined;
    }
  };
  s.workload.mix.forEach((c, i) => {
    if (!c.postprocess) return;
    const base: PathKey[] = ['workload', 'mix', i, 'postprocess'];
    const modelId = (c.model ?? s.model).toLowerCase();
    if (!listModels().some((m) => m.id === modelId)) return; // reported by checkIds
    const model = getModel(modelId);
    const req = resolveRequest(model, { width: c.resolution?.width, height: c.resolution?.height, frames: c.frames });
    const chain = chainOf(c.postprocess);
    for (const p of chainProblems(chain, req.width, req.height, model.defaults.fps)) at([...base, ...p.field.split('.')], p.message);
    const mine = pools.filter((p) => (p.model ?? s.model).toLowerCase() === modelId);
    const post = mine.filter((p) => p.stages.includes('postprocess'));
    if (post.length === 0) {
      at(base, `no pool of model "${modelId}" runs the postprocess stage`, 'add postprocess to the stages of the pool that decodes, or add a pool with stages: [postprocess]');
      return;
    }
    const enc = chain.encode;
    if (enc?.on === 'nvenc') {
      for (const p of post) {
        const gpu = gpuOf(p.node);
        if (!gpu) continue;
        const problem = nvencProblem(gpu, enc.codec as Codec);
        if (problem) {
          const withNvenc = Object.entries(NVENC_ENGINES).filter(([, g]) => g.engines > 0).map(([id]) => id);
          at([...base, 'encode', 'on'], `class "${c.name ?? i}": NVENC encode on pool "${p.name ?? p.node}": ${problem}`, `encode on: cpu, or run post-processing on a pool of ${withNvenc.join("/")} GPUs (stages: [postprocess])`);
        }
      }
    }
  });
  return issues;
}
