/**
 * Deploy artifacts for a layout chosen by `vgsim plan` / `vgsim size` (or the API): the official Wan launch
 * line, the xDiT equivalent, and a Kubernetes manifest — each only where the runtime runs the layout,
 * otherwise with the reason. `writeDeployArtifacts` puts them in a folder with a short DEPLOY.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getGpu, getNode } from '../hardware/catalog.ts';
import type { NodeSpec } from '../hardware/types.ts';
import { formatPlan, parsePlan, type ParallelPlan } from '../parallel/plan.ts';
import type { ModelSpec } from '../workload/models.ts';
import { kubernetesManifest } from './kubernetes.ts';
import { officialLaunch, xditLaunch, type Launch, type LaunchTarget } from './launch.ts';
import { makeDirs } from '../make-dirs.ts';

export interface DeployInput {
  model: ModelSpec;
  /** The layout of one replica (a ParallelPlan or its spec string, e.g. "ulysses=8,fsdp"). */
  parallel: ParallelPlan | string;
  gpusPerReplica: number;
  replicas: number;
  /** Node type id (vgsim list nodes). */
  node: string;
  width: number;
  height: number;
  frames: number;
  steps: number;
  dtype?: 'bf16' | 'fp8';
  compile?: boolean;
}

export interface DeployArtifacts {
  layout: { model: string; parallel: string; gpus_per_replica: number; replicas: number; node: string; resolution: string; frames: number; steps: number };
  official: Launch;
  xdit: Launch;
  kubernetes: { supported: true; runtime: string; manifest: string } | { supported: false; reason: string };
}

function target(d: DeployInput, plan: ParallelPlan, node: NodeSpec, ckptRoot: string): LaunchTarget {
  return { model: d.model, plan, gpus: d.gpusPerReplica, gpusPerNode: node.gpusPerNode, width: d.width, height: d.height, frames: d.frames, steps: d.steps, dtype: d.dtype, compile: d.compile, ckptRoot };
}

export function deployArtifacts(d: DeployInput): DeployArtifacts {
  const plan = typeof d.parallel === 'string' ? parsePlan(d.parallel) : d.parallel;
  // dp inside a replica spec means independent copies: deploy them as replicas of one group each
  const replicas = d.replicas * plan.dp;
  const one: ParallelPlan = { ...plan, dp: 1 };
  const gpus = d.gpusPerReplica / plan.dp;
  const input = { ...d, gpusPerReplica: gpus, replicas };
  const node = getNode(d.node);
  const official = officialLaunch(target(input, one, node, '.'));
  const xdit = xditLaunch(target(input, one, node, '.'));
  // the manifest runs the official line where it can, else xDiT's; checkpoints mounted at /ckpt
  const forPod = [officialLaunch(target(input, one, node, '/ckpt')), xditLaunch(target(input, one, node, '/ckpt'))].find((l) => l.supported);
  const kubernetes: DeployArtifacts['kubernetes'] = forPod && forPod.supported
    ? {
      supported: true,
      runtime: forPod.runtime,
      manifest: kubernetesManifest({ name: `${d.model.id}-${formatPlan(one)}`, modelId: d.model.id, plan: one, replicas, gpusPerReplica: gpus, node, gpu: getGpu(node.gpu), argv: forPod.argv, runtime: forPod.runtime }),
    }
    : { supported: false, reason: 'neither the official code nor xDiT runs this layout (see their reasons)' };
  return {
    layout: { model: d.model.id, parallel: formatPlan(one), gpus_per_replica: gpus, replicas, node: node.id, resolution: `${d.width}x${d.height}`, frames: d.frames, steps: d.steps },
    official,
    xdit,
    kubernetes,
  };
}

function launchText(l: Launch): string {
  return l.supported ? `${l.command}\n${l.notes.map((n) => `  # ${n}`).join('\n')}` : `not supported: ${l.reason}`;
}

/** Human-readable summary (printed by the CLI, written as DEPLOY.md). */
export function deployText(a: DeployArtifacts): string {
  const L = a.layout;
  return [
    `deploy: ${L.replicas} replica(s) × ${L.gpus_per_replica} GPU(s) of ${L.node}, ${L.model} ${L.parallel}, ${L.resolution} ${L.frames} frames ${L.steps} steps`,
    '(starting points: check flags against the runtime version you install)',
    '',
    `${a.official.runtime}:`,
    `  ${launchText(a.official)}`,
    '',
    `${a.xdit.runtime}:`,
    `  ${launchText(a.xdit)}`,
    '',
    `Kubernetes: ${a.kubernetes.supported ? `kubernetes.yaml (runs the ${a.kubernetes.runtime} line)` : `not written: ${a.kubernetes.reason}`}`,
  ].join('\n');
}

/** Writes DEPLOY.md, deploy.json, launch-official.sh / launch-xdit.sh (where supported) and kubernetes.yaml; returns the files. */
export function writeDeployArtifacts(dir: string, a: DeployArtifacts): string[] {
  makeDirs(dir, '--deploy');
  const files: string[] = [];
  const write = (name: string, text: string, mode?: number) => {
    const f = join(dir, name);
    writeFileSync(f, text, mode !== undefined ? { mode } : undefined);
    files.push(f);
  };
  write('DEPLOY.md', `# Deploying this layout\n\n\`\`\`\n${deployText(a)}\n\`\`\`\n`);
  write('deploy.json', JSON.stringify(a, null, 2) + '\n');
  if (a.official.supported) write('launch-official.sh', `#!/usr/bin/env bash\n# ${a.official.notes.join('\n# ')}\n${a.official.command}\n`, 0o755);
  if (a.xdit.supported) write('launch-xdit.sh', `#!/usr/bin/env bash\n# ${a.xdit.notes.join('\n# ')}\n${a.xdit.command}\n`, 0o755);
  if (a.kubernetes.supported) write('kubernetes.yaml', a.kubernetes.manifest);
  return files;
}
