import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { deployArtifacts } from '../src/deploy/artifacts.ts';
import { officialLaunch, xditLaunch } from '../src/deploy/launch.ts';
import { parsePlan } from '../src/parallel/plan.ts';
import { getModel } from '../src/workload/request.ts';
import { plan } from '../src/api/plan.ts';

const a14b = getModel('wan2.2-t2v-a14b');
const target = (spec: string, gpus: number, model = a14b, extra = {}) => ({ model, plan: parsePlan(spec), gpus, gpusPerNode: 8, width: 1280, height: 720, frames: 81, steps: 40, ...extra });

/** The value after a flag in an argv (`--flag v` or `--flag=v`); true for a bare flag; undefined when absent. */
function flag(argv: readonly string[], name: string): string | true | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[i + 1]! : true;
    if (argv[i]!.startsWith(`${name}=`)) return argv[i]!.slice(name.length + 1);
  }
  return undefined;
}

describe('deploy artifacts: the official Wan launch line matches the plan', () => {
  it('ulysses=8,fsdp on 8 GPUs → the README line: torchrun --nproc_per_node=8 … --ulysses_size 8 --dit_fsdp', () => {
    const l = officialLaunch(target('ulysses=8,fsdp,t5=fsdp', 8));
    expect(l.supported).toBe(true);
    if (!l.supported) return;
    expect(l.argv.slice(0, 3)).toEqual(['torchrun', '--nproc_per_node=8', 'generate.py']);
    expect(flag(l.argv, '--task')).toBe('t2v-A14B');
    expect(flag(l.argv, '--size')).toBe('1280*720');
    expect(flag(l.argv, '--ulysses_size')).toBe('8');
    expect(flag(l.argv, '--dit_fsdp')).toBe(true);
    expect(flag(l.argv, '--t5_fsdp')).toBe(true);
    expect(flag(l.argv, '--convert_model_dtype')).toBeUndefined(); // "only works without FSDP"
    expect(flag(l.argv, '--frame_num')).toBe('81');
    expect(flag(l.argv, '--sample_steps')).toBe('40');
  });

  it('the single-GPU offload path → python generate.py --offload_model True --convert_model_dtype (+ --t5_cpu)', () => {
    const l = officialLaunch(target('offload,t5=cpu', 1));
    expect(l.supported && l.argv.slice(0, 2)).toEqual(['python', 'generate.py']);
    if (!l.supported) return;
    expect(flag(l.argv, '--offload_model')).toBe('True');
    expect(flag(l.argv, '--convert_model_dtype')).toBe(true);
    expect(flag(l.argv, '--t5_cpu')).toBe(true);
    expect(flag(l.argv, '--ulysses_size')).toBeUndefined();
  });

  it('Wan2.1 has --ring_size (ulysses × ring = world size); a 16-GPU replica spans two nodes', () => {
    const l = officialLaunch(target('ulysses=8,ring=2,fsdp', 16, getModel('wan2.1-t2v-14b')));
    expect(l.supported).toBe(true);
    if (!l.supported) return;
    expect(Number(flag(l.argv, '--ulysses_size')) * Number(flag(l.argv, '--ring_size'))).toBe(16);
    expect(l.argv).toContain('--nnodes=2');
    expect(l.argv).toContain('--nproc_per_node=8');
    expect(l.nodes).toBe(2);
  });

  it('refuses layouts the official code does not run, with the reason', () => {
    const reason = (spec: string, gpus: number, model = a14b, extra = {}) => {
      const l = officialLaunch(target(spec, gpus, model, extra));
      return l.supported ? '' : l.reason;
    };
    expect(reason('tp=2', 2)).toMatch(/tensor parallel/);
    expect(reason('ulysses=4,cfg=2,fsdp', 8)).toMatch(/CFG parallel/);
    expect(reason('pipefusion=2', 2)).toMatch(/PipeFusion/);
    expect(reason('ulysses=4,ring=2', 8)).toMatch(/not in the official Wan2\.2 code: ring attention \(ring=2; in Wan2\.1's generate\.py/);
    expect(reason('ulysses=4,experts=split', 8)).toMatch(/experts=split/);
    expect(reason('ulysses=8,fsdp', 8, a14b, { dtype: 'fp8' })).toMatch(/bf16/);
    expect(reason('ulysses=8,fsdp', 8, a14b, { width: 1024, height: 1024 })).toMatch(/--size/);
    expect(reason('ulysses=3', 3)).toMatch(/40 attention heads are not divisible by ulysses=3/);
    expect(reason('ulysses=8', 8, { ...a14b, id: 'my-model' })).toMatch(/not one of the official Wan checkpoints/);
  });
});

describe('deploy artifacts: xDiT flags match the plan', () => {
  it('degrees map to --ulysses_degree/--ring_degree; FSDP to --fully_shard_degree; xdit starts ulysses×ring×cfg processes', () => {
    const l = xditLaunch(target('ulysses=4,ring=2,fsdp,vae=patch', 8, a14b, { dtype: 'fp8', compile: true }));
    expect(l.supported).toBe(true);
    if (!l.supported) return;
    expect(l.argv[0]).toBe('xdit');
    expect(flag(l.argv, '--model')).toBe('Wan2.2-T2V');
    expect(Number(flag(l.argv, '--ulysses_degree')) * Number(flag(l.argv, '--ring_degree'))).toBe(8);
    expect(flag(l.argv, '--fully_shard_degree')).toBe('8');
    for (const f of ['--use_parallel_vae', '--use_fp8_gemms', '--use_torch_compile']) expect(flag(l.argv, f)).toBe(true);
    expect([flag(l.argv, '--height'), flag(l.argv, '--width'), flag(l.argv, '--num_frames'), flag(l.argv, '--num_inference_steps')]).toEqual(['720', '1280', '81', '40']);
  });

  it('CFG parallel only for the I2V models; no PipeFusion, TP or 1.3B in the Wan runner', () => {
    const cfgI2v = xditLaunch(target('ulysses=4,cfg=2', 8, getModel('wan2.2-i2v-a14b')));
    expect(cfgI2v.supported && flag(cfgI2v.argv, '--use_cfg_parallel')).toBe(true);
    const no = (spec: string, gpus: number, model = a14b) => {
      const l = xditLaunch(target(spec, gpus, model));
      return l.supported ? '' : l.reason;
    };
    expect(no('ulysses=4,cfg=2', 8)).toMatch(/I2V models only/);
    expect(no('pipefusion=2', 2)).toMatch(/PipeFusion/);
    expect(no('tp=2', 2)).toMatch(/has no tensor parallel \(tp=2\)/);
    expect(no('ulysses=2', 2, getModel('wan2.1-t2v-1.3b'))).toMatch(/no wan2\.1-t2v-1\.3b/);
  });
});

describe('deploy artifacts: Kubernetes manifest', () => {
  it('one pod per replica, each requesting the replica\'s GPUs; total GPUs = the budget', () => {
    const a = deployArtifacts({ model: a14b, parallel: 'ulysses=4,fsdp', gpusPerReplica: 4, replicas: 4, node: 'hgx-h100-sxm-8', width: 1280, height: 720, frames: 81, steps: 40 });
    expect(a.kubernetes.supported).toBe(true);
    if (!a.kubernetes.supported) return;
    const doc = parse(a.kubernetes.manifest);
    expect(doc.kind).toBe('StatefulSet');
    expect(doc.spec.replicas).toBe(4);
    const c = doc.spec.template.spec.containers[0];
    expect(c.resources.limits['nvidia.com/gpu']).toBe(4);
    expect(doc.spec.replicas * c.resources.limits['nvidia.com/gpu']).toBe(16);
    expect(c.command.join(' ')).toMatch(/torchrun --nproc_per_node=4 generate\.py .*--ulysses_size 4 --dit_fsdp/);
    expect(c.command.join(' ')).toContain('--ckpt_dir /ckpt/Wan2.2-T2V-A14B');
    expect(a.kubernetes.manifest).toMatch(/^# .*STARTING POINT/m);
  });

  it('a replica larger than a node becomes a LeaderWorkerSet group of one pod per node', () => {
    const a = deployArtifacts({ model: getModel('wan2.1-t2v-14b'), parallel: 'ulysses=8,ring=2,fsdp', gpusPerReplica: 16, replicas: 2, node: 'hgx-h100-sxm-8', width: 1280, height: 720, frames: 81, steps: 40 });
    if (!a.kubernetes.supported) throw new Error(a.kubernetes.reason);
    const doc = parse(a.kubernetes.manifest);
    expect(doc.kind).toBe('LeaderWorkerSet');
    expect(doc.spec.replicas).toBe(2);
    expect(doc.spec.leaderWorkerTemplate.size).toBe(2);
    const cmd = doc.spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].command.join(' ');
    expect(cmd).toMatch(/--nnodes=2 --node_rank=\$LWS_WORKER_INDEX --nproc_per_node=8/);
    expect(cmd).toContain('$LWS_LEADER_ADDRESS:29500');
  });

  it('AMD nodes request amd.com/gpu; a layout no runtime runs gets no manifest', () => {
    const amd = deployArtifacts({ model: a14b, parallel: 'ulysses=8,fsdp', gpusPerReplica: 8, replicas: 1, node: 'mi300x-8', width: 1280, height: 720, frames: 81, steps: 40 });
    expect(amd.kubernetes.supported && parse(amd.kubernetes.manifest).spec.template.spec.containers[0].resources.limits['amd.com/gpu']).toBe(8);
    const none = deployArtifacts({ model: a14b, parallel: 'tp=2', gpusPerReplica: 2, replicas: 4, node: 'hgx-h100-sxm-8', width: 1280, height: 720, frames: 81, steps: 40 });
    expect(none.kubernetes.supported).toBe(false);
  });

  it('plan({deploy: true}) deploys the top-ranked feasible layout with its replicas', () => {
    const r = plan({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', gpus: 8, official: true, deploy: true });
    const top = r.layouts.find((l) => l.feasible)!;
    expect(r.deploy!.layout.parallel).toBe(top.parallel.replace(/,?dp=\d+/, '') || 'none');
    expect(r.deploy!.layout.replicas * r.deploy!.layout.gpus_per_replica).toBe(8);
    expect(() => plan({ model: 'wan2.2-t2v-a14b', gpu: 'h100-sxm', gpus: 8, deploy: { layout: 'ulysses=7' } })).toThrow(/no layout "ulysses=7"/);
  });
});
