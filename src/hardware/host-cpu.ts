/**
 * The host CPU, where umT5 runs with --t5_cpu. Its BF16 matmul rate decides how long the two 512-token
 * encoder calls take (~9.5 TFLOP per request for umT5-XXL).
 *
 * Rate per core by instruction set, for PyTorch's CPU BF16 linear layers at umT5's shapes:
 *  - avx512-bf16 (AMD Zen 4/5, Intel Cooper Lake): 149 GFLOP/s per core measured on a Zen 5 core with
 *    Debian's PyTorch 1.13 (calibration/host/cpu-matmul-dev-vm.json, calibration/host/cpu_matmul.py);
 *  - amx (Intel Sapphire/Emerald/Granite Rapids): the AMX tile unit does 1,024 BF16 FLOP per cycle per core
 *    against 128 for two AVX-512 BF16 pipes (Intel AMX / Zen 5 microarchitecture docs), i.e. 8× per cycle;
 *    we take a quarter of that gain (2×) for what PyTorch's oneDNN reaches at these small-m (512-token)
 *    shapes — an assumption, flagged;
 *  - avx2 (no BF16 instructions: BF16 is widened to fp32 and FMA'd on two 256-bit pipes, 32 FLOP/cycle vs
 *    128): a quarter of the AVX-512 BF16 rate — flagged.
 * Several ranks encoding at once (every process of a multi-GPU launch runs umT5 with --t5_cpu) share the
 * cores: PyTorch gives each process all of them, so they take turns.
 */
export type CpuIsa = 'avx2' | 'avx512-bf16' | 'amx';

export interface HostCpu {
  name: string;
  /** Physical cores of the node (all sockets). */
  cores: number;
  isa: CpuIsa;
}

/** Measured BF16 linear-layer rate per core on the calibration CPU (GFLOP/s). */
export const MEASURED_BF16_GFLOPS_PER_CORE = 148.7;

/** Rate per core relative to AVX-512 BF16 (module doc). */
export const ISA_FACTOR: Record<CpuIsa, { factor: number; measured: boolean }> = {
  'avx512-bf16': { factor: 1, measured: true },
  amx: { factor: 2, measured: false },
  avx2: { factor: 0.25, measured: false },
};

/**
 * A generic 2-socket GPU server where the catalog does not name the CPUs: 2 × 32 cores with AVX-512 BF16
 * (e.g. AMD EPYC 9354 in many HGX systems). Assumption, flagged in the estimate.
 */
export const DEFAULT_HOST_CPU: HostCpu = { name: 'generic 2 × 32-core server CPU (AVX-512 BF16)', cores: 64, isa: 'avx512-bf16' };

/** Seconds for `flops` of BF16 matmuls on the host CPU when `processes` run them at once. */
export function cpuMatmulSeconds(flops: number, cpu: HostCpu, processes = 1): number {
  const rate = cpu.cores * MEASURED_BF16_GFLOPS_PER_CORE * ISA_FACTOR[cpu.isa].factor * 1e9;
  return (flops * processes) / rate;
}
