/**
 * What a replica runs for a batch (src/serving/phases.ts) and how long a cold start takes
 * (src/serving/cold-start.ts), as pure functions on hand-made inputs: no scenario, no simulation.
 */
import { describe, it, expect } from 'vitest';
import { phaseList, type PhaseShape } from '../src/serving/phases.ts';
import { hostSeconds, processStartSeconds, checkpointBytes, hostIngestBps } from '../src/serving/cold-start.ts';
import type { ServiceTime } from '../src/serving/service-times.ts';
import { getModel } from '../src/workload/request.ts';
import type { Storage } from '../src/scenario/schema.ts';

/** A 40-step request with offload transfers: encode 10 s (2 s transfer), denoise 26 + 14 steps of 5 s + a 12 s swap, decode 20 s (4 s transfer). */
const times = {
  encode_s: 10, denoise_s: 40 * 5 + 12, decode_s: 20, total_s: 10 + 212 + 20, steps: 40, highSteps: 26, lowSteps: 14,
  transfer_s: { encode: 2, denoise: 12, decode: 4 },
  estimate: { power: { per_gpu_w: { text_encode: 300, denoise: 650, vae_decode: 600, vae_idle_ranks: 120, transfer: 150, idle: 117, deep_idle: 71 } } },
} as unknown as ServiceTime;
const shape: PhaseShape = { first: 0, last: 2, gpus: 1, stageServers: 1, twoExperts: true, stepByStep: true, labels: true };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('phase lists', () => {
  it('a whole request, step by step: transfer, encode, 26 steps, the expert swap, 14 steps, transfer, decode', () => {
    const p = phaseList(times, shape, 0);
    expect(p.seconds.length).toBe(2 + 26 + 1 + 14 + 2);
    expect(p.seconds.slice(0, 2)).toEqual([2, 8]);
    expect(p.seconds.slice(2, 28)).toEqual(Array(26).fill(5));
    expect(p.seconds[28]).toBe(12);
    expect(p.labels![28]!.label).toBe('expert swap');
    expect(p.labels![2]).toEqual({ label: 'denoise step 1/40', step: 1, steps: 1 });
    expect(p.seconds.slice(-2)).toEqual([4, 16]);
    expect(sum(p.seconds)).toBeCloseTo(times.total_s, 12);
    expect(p.watts.slice(0, 3)).toEqual([150, 300, 650]);
    expect(p.watts.at(-1)).toBe(600);
  });

  it('granularity stage: one phase per run of steps, the same total time and energy', () => {
    const step = phaseList(times, shape, 0);
    const stage = phaseList(times, { ...shape, stepByStep: false }, 0);
    expect(stage.seconds).toEqual([2, 8, 130, 12, 70, 4, 16]);
    const energy = (p: typeof step) => sum(p.seconds.map((s, i) => s * p.watts[i]!));
    expect(energy(stage)).toBeCloseTo(energy(step), 9);
  });

  it('a 4-GPU group decodes on one GPU while three idle: mean per-GPU VAE power (600 + 3 x 120) / 4', () => {
    expect(phaseList(times, { ...shape, gpus: 4 }, 0).watts.at(-1)).toBe((600 + 3 * 120) / 4);
  });

  it('split experts: the high-noise group encodes and runs 26 steps, the low-noise group 14 steps and the decode, no swap', () => {
    const split = { ...shape, gpus: 2, stageServers: 2 };
    const a = phaseList(times, split, 0);
    const b = phaseList(times, split, 1);
    expect(a.seconds).toEqual([2, 8, ...Array(26).fill(5)]);
    expect(b.seconds).toEqual([...Array(14).fill(5), 4, 16]);
    expect(sum(a.seconds) + sum(b.seconds)).toBeCloseTo(times.total_s - times.transfer_s.denoise, 12);
  });

  it('a disaggregated pool runs only its span', () => {
    expect(phaseList(times, { ...shape, first: 0, last: 0 }, 0).seconds).toEqual([2, 8]);
    expect(phaseList(times, { ...shape, first: 2, last: 2 }, 0).seconds).toEqual([4, 16]);
    expect(sum(phaseList(times, { ...shape, first: 1, last: 1 }, 0).seconds)).toBeCloseTo(212, 12);
  });
});

describe('cold-start computations', () => {
  const storage = { tier: 'local-nvme', page_cache: true, gds: false, checkpoint_dtype: 'fp32' } as Storage;
  const rates = { ingestGBs: 3, torchLoadGBs: 1.5, castGBs: 15, source: 'test' };

  it('process start: the scenario value, else measured start-up, plus NCCL for multi-GPU replicas', () => {
    const measured = { processS: 6.7, ncclS: 1.1, ncclRanks: 2, source: 'test' };
    expect(processStartSeconds(storage, 1, measured)).toBe(6.7);
    expect(processStartSeconds(storage, 4, measured)).toBeCloseTo(7.8, 12);
    expect(processStartSeconds({ ...storage, process_start_s: 3 }, 4, measured)).toBe(3);
  });

  it('checkpoint bytes: the parts of the stages a pool runs; fp32 DiT bytes are cast on the CPU unless GDS', () => {
    const m = getModel('wan2.1-t2v-1.3b');
    const all = checkpointBytes(m, storage);
    expect(all.total).toBe(all.castBytes + all.pthBytes);
    expect(all.pthBytes).toBe(m.textEncoder.checkpointBytes + m.vae.checkpointBytes);
    expect(checkpointBytes(m, storage, { encode: true, denoise: false, decode: false })).toEqual({ total: m.textEncoder.checkpointBytes, pthBytes: m.textEncoder.checkpointBytes, castBytes: 0 });
    expect(checkpointBytes(m, { ...storage, gds: true }).castBytes).toBe(0);
    // the host reads safetensors at the ingest rate and .pth files at the torch.load rate, one after the other
    expect(all.total / hostIngestBps(all, rates)).toBeCloseTo(all.castBytes / 3e9 + all.pthBytes / 1.5e9, 9);
  });

  it('host seconds: CPU cast + copy of the resident weights; with GDS only the .pth files', () => {
    const bytes = { total: 30e9, pthBytes: 12e9, castBytes: 18e9 };
    expect(hostSeconds({ gds: false, bytes, pthGpuBytes: 0, residentGb: 20, h2dBps: 5e9, rates })).toBeCloseTo(18 / 15 + 20 / 5, 12);
    expect(hostSeconds({ gds: true, bytes, pthGpuBytes: 11e9, residentGb: 20, h2dBps: 5e9, rates })).toBeCloseTo(12 / 1.5 + 11 / 5, 12);
  });
});
