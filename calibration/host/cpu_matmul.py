"""CPU matmul throughput for umT5 on the CPU (--t5_cpu): the shapes of one umT5-XXL encoder layer at 512
tokens (q/k/v/o 4096x4096, gated-GELU FFN 4096->10240 twice and 10240->4096), in bf16 (the official t5 dtype)
and fp32, with the given thread count. Prints JSON with GFLOP/s per shape and per core.

    /usr/bin/python3 calibration/host/cpu_matmul.py --threads 2 > calibration/host/cpu-matmul-dev-vm.json
"""
import argparse, json, os, platform, time
import torch

SHAPES = [(512, 4096, 4096, 4), (512, 10240, 4096, 2), (512, 4096, 10240, 1)]  # (m, n, k, count per layer)


def bench(dtype, m, n, k, seconds=1.5):
    a = torch.randn(m, k, dtype=dtype)
    w = torch.randn(n, k, dtype=dtype)
    torch.nn.functional.linear(a, w)  # warm-up
    t0 = time.perf_counter(); reps = 0
    while time.perf_counter() - t0 < seconds:
        torch.nn.functional.linear(a, w); reps += 1
    dt = (time.perf_counter() - t0) / reps
    return 2 * m * n * k / dt / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    flags = open('/proc/cpuinfo').read().split('flags')[1].split('\n')[0] if os.path.exists('/proc/cpuinfo') else ''
    out = {'schema': 'vgsim-cpu-matmul/1', 'threads': args.threads, 'torch': torch.__version__,
           'cpu': platform.processor() or platform.machine(),
           'isa': [f for f in ('avx2', 'avx512f', 'avx512_bf16', 'amx_bf16') if f in flags.split()], 'rows': []}
    for dtype in (torch.bfloat16, torch.float32):
        for m, n, k, c in SHAPES:
            g = bench(dtype, m, n, k)
            out['rows'].append({'dtype': str(dtype).replace('torch.', ''), 'm': m, 'n': n, 'k': k, 'count_per_layer': c, 'gflops': round(g, 1), 'gflops_per_core': round(g / args.threads, 1)})
    for dt in ('bfloat16', 'float32'):
        rows = [r for r in out['rows'] if r['dtype'] == dt]
        flops = sum(2 * r['m'] * r['n'] * r['k'] * r['count_per_layer'] for r in rows)
        secs = sum(2 * r['m'] * r['n'] * r['k'] * r['count_per_layer'] / (r['gflops'] * 1e9) for r in rows)
        out[f'layer_gflops_{dt}'] = round(flops / secs / 1e9, 1)
        out[f'layer_gflops_per_core_{dt}'] = round(flops / secs / 1e9 / args.threads, 1)
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
