import { describe, expect, it } from 'vitest';
import { catalogGpuOfDeviceName } from '../src/hardware/device-names.ts';
import { GPUS } from '../src/hardware/gpus.ts';
import { readObservedTrace } from '../src/calibration/observed-trace.ts';
import { otherGpuWarning } from '../src/calibration/replay.ts';

describe('catalogGpuOfDeviceName: the catalog GPU a device name stands for', () => {
  it('maps the names our own measurement files carry', () => {
    // calibration/serving/traces/gpu1/*.json and calibration/vae/h200.json
    expect(catalogGpuOfDeviceName('NVIDIA H100 80GB HBM3')).toBe('h100-sxm');
    expect(catalogGpuOfDeviceName('NVIDIA H200')).toBe('h200');
  });
  it('tells apart parts whose names contain each other', () => {
    expect(catalogGpuOfDeviceName('NVIDIA H20')).toBe('h20');
    expect(catalogGpuOfDeviceName('NVIDIA L4')).toBe('l4');
    expect(catalogGpuOfDeviceName('NVIDIA L40S')).toBe('l40s');
    expect(catalogGpuOfDeviceName('NVIDIA A10')).toBe('a10');
    expect(catalogGpuOfDeviceName('NVIDIA A100-SXM4-80GB')).toBe('a100-sxm-80g');
    expect(catalogGpuOfDeviceName('NVIDIA A100 80GB PCIe')).toBe('a100-pcie-80g');
    expect(catalogGpuOfDeviceName('NVIDIA H100 PCIe')).toBe('h100-pcie');
    expect(catalogGpuOfDeviceName('NVIDIA H100 NVL')).toBe('h100-nvl');
    expect(catalogGpuOfDeviceName('NVIDIA GB200')).toBe('gb200');
    expect(catalogGpuOfDeviceName('NVIDIA B200')).toBe('b200');
    expect(catalogGpuOfDeviceName('NVIDIA GeForce RTX 4090')).toBe('rtx4090');
    expect(catalogGpuOfDeviceName('AMD Instinct MI300X')).toBe('mi300x');
  });
  it('never calls a part outside the catalog by its nearest neighbour', () => {
    for (const name of ['NVIDIA A100-SXM4-40GB', 'NVIDIA GeForce RTX 4090 D', 'NVIDIA H200 NVL', 'NVIDIA GeForce RTX 3090 Ti', 'NVIDIA T4', '', null]) {
      expect(catalogGpuOfDeviceName(name)).toBeUndefined();
    }
  });
  it('returns only ids the catalog has', () => {
    const ids = new Set(GPUS.map((g) => g.id));
    for (const name of ['NVIDIA H100 80GB HBM3', 'NVIDIA H200', 'NVIDIA L20', 'NVIDIA H800', 'AMD Instinct MI325X', 'AMD Instinct MI355X', 'Ascend910B3', 'NVIDIA A800-SXM4-80GB', 'NVIDIA GeForce RTX 3090']) {
      const id = catalogGpuOfDeviceName(name);
      expect(id, name).toBeDefined();
      expect(ids.has(id!), `${name} → ${id}`).toBe(true);
    }
  });
});

describe('replay: a trace of one GPU on a scenario of another is flagged', () => {
  const trace = readObservedTrace('calibration/serving/traces/gpu1/load85.csv');
  it('an H100 trace on an H200 scenario is a what-if, and says so', () => {
    expect(otherGpuWarning(trace, { pools: [{ gpu: 'h200' }] as any })).toMatch(/measured on NVIDIA H100 80GB HBM3 \(h100-sxm\), the scenario runs h200: .*what-if/);
  });
  it('the same GPU, or a trace with no GPU (the CPU runs), says nothing', () => {
    expect(otherGpuWarning(trace, { pools: [{ gpu: 'h100-sxm' }] as any })).toBeNull();
    const cpu = readObservedTrace('calibration/serving/traces/cpu-tiny/load85.csv');
    expect(otherGpuWarning(cpu, { pools: [{ gpu: 'h100-sxm' }] as any })).toBeNull();
  });
});
