/**
 * A Kubernetes manifest for a layout: one pod per replica, each requesting the replica's GPUs, so the
 * scheduler places a replica's GPUs on one node (one NVLink/NVSwitch domain). A replica larger than a node
 * becomes a LeaderWorkerSet group (one pod per node of the replica, started together).
 *
 * A starting point, said in the file itself: the image is a placeholder, the checkpoints come from a
 * PersistentVolumeClaim you create, and the official generate.py renders one video per launch, so the
 * container command is where your serving wrapper goes.
 *
 * Conventions used (documented by their projects):
 *   - GPU resources by vendor device plugin: nvidia.com/gpu (NVIDIA k8s-device-plugin), amd.com/gpu (ROCm
 *     k8s-device-plugin), huawei.com/Ascend910 (Ascend device plugin).
 *   - /dev/shm as a memory-backed emptyDir: NCCL and PyTorch data loaders need more than the 64 MB default.
 *   - LeaderWorkerSet (leaderworkerset.x-k8s.io/v1, kubernetes-sigs/lws): `size` pods per group, env
 *     LWS_LEADER_ADDRESS / LWS_GROUP_SIZE / LWS_WORKER_INDEX in every pod, and the annotation
 *     leaderworkerset.sigs.k8s.io/exclusive-topology to keep a group inside one topology domain.
 */
import { createRequire } from 'node:module';
// yaml (its CommonJS build, the same one `import` gets on Node) loads on first use: `vgsim plan` imports this module for --out/--deploy only
const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml');
import type { GpuSpec, NodeSpec } from '../hardware/types.ts';
import { formatPlan, type ParallelPlan } from '../parallel/plan.ts';

export interface ManifestInput {
  name: string;
  modelId: string;
  plan: ParallelPlan;
  replicas: number;
  gpusPerReplica: number;
  node: NodeSpec;
  gpu: GpuSpec;
  /** argv of the launch command (official or xDiT) for one replica. */
  argv: readonly string[];
  runtime: string;
}

const GPU_RESOURCE: Record<string, string> = { nvidia: 'nvidia.com/gpu', amd: 'amd.com/gpu', huawei: 'huawei.com/Ascend910' };

function dnsName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'vgsim';
}

/** The manifest as YAML text (comments first, then the documents). */
export function kubernetesManifest(m: ManifestInput): string {
  const resource = GPU_RESOURCE[m.gpu.vendor] ?? 'nvidia.com/gpu';
  const perNode = Math.min(m.gpusPerReplica, m.node.gpusPerNode);
  const podsPerReplica = Math.ceil(m.gpusPerReplica / perNode);
  const name = dnsName(m.name);
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'vgsim-plan' };
  const container = (command: string[]) => ({
    name: 'wan',
    image: 'REPLACE-ME/wan-inference:latest',
    command,
    resources: { limits: { [resource]: perNode }, requests: { [resource]: perNode } },
    volumeMounts: [{ name: 'checkpoints', mountPath: '/ckpt', readOnly: true }, { name: 'dshm', mountPath: '/dev/shm' }],
  });
  const podSpec = (command: string[]) => ({
    nodeSelector: { 'vgsim/node-type': m.node.id },
    containers: [container(command)],
    volumes: [
      { name: 'checkpoints', persistentVolumeClaim: { claimName: 'wan-checkpoints', readOnly: true } },
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '64Gi' } },
    ],
  });
  const header = [
    `# vgsim plan → Kubernetes: ${m.replicas} replica(s) of ${m.modelId}, ${m.gpusPerReplica} GPU(s) each (${formatPlan(m.plan)}) on ${m.node.name}`,
    `# runtime: ${m.runtime}. A STARTING POINT, not a tested deployment:`,
    '#   - set the image; create the PersistentVolumeClaim "wan-checkpoints" holding the checkpoint folders (mounted at /ckpt)',
    `#   - label the nodes: kubectl label node <name> vgsim/node-type=${m.node.id} (or select on GPU feature discovery labels)`,
    '#   - the official generate.py renders one video and exits: put your serving wrapper around the launch line',
    `#   - one pod per replica requests all ${perNode} GPU(s) of its part of the replica from one node, so they share the node's ${m.node.intraNode.link} fabric;`,
    '#     for replicas smaller than a node, the kubelet Topology Manager (policy single-numa-node or restricted) keeps them on one NUMA node',
  ];
  let doc: unknown;
  if (podsPerReplica === 1) {
    const command = ['bash', '-c', m.argv.map((w) => (/^[\w@%+=:,./*$-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ')];
    doc = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, labels },
      spec: {
        serviceName: name,
        replicas: m.replicas,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: podSpec(command) },
      },
    };
  } else {
    header.push(
      `#   - each replica spans ${podsPerReplica} nodes: a LeaderWorkerSet group of ${podsPerReplica} pods (needs the LWS controller, kubernetes-sigs/lws);`,
      '#     every pod runs the launch line with its node rank; the exclusive-topology annotation keeps a group under one rack/spine label',
    );
    const withRank = m.argv
      .map((w) => w.replace('$MASTER_ADDR', '$LWS_LEADER_ADDRESS').replace('$NODE_RANK', '$LWS_WORKER_INDEX'))
      .map((w) => (/^[\w@%+=:,./*$-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`));
    // torchrun needs --node_rank beside --nnodes; xdit carries its own --node_rank flag already
    const line = withRank.join(' ').replace(/(--nnodes=\d+)/, '$1 --node_rank=$LWS_WORKER_INDEX');
    const command = ['bash', '-c', line];
    doc = {
      apiVersion: 'leaderworkerset.x-k8s.io/v1',
      kind: 'LeaderWorkerSet',
      metadata: { name, labels, annotations: { 'leaderworkerset.sigs.k8s.io/exclusive-topology': 'topology.kubernetes.io/zone' } },
      spec: {
        replicas: m.replicas,
        leaderWorkerTemplate: {
          size: podsPerReplica,
          leaderTemplate: { metadata: { labels }, spec: podSpec(command) },
          workerTemplate: { metadata: { labels }, spec: podSpec(command) },
        },
      },
    };
  }
  return `${header.join('\n')}\n${yaml().stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
