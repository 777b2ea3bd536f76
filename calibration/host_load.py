#!/usr/bin/env python3
"""Host-side model-loading rates: what a replica's cold start does before the GPU copy.

    python3 calibration/host_load.py --out host-load.json [--gb 4]

Measures, on this host: reading a checkpoint file from the page cache (np.fromfile after a first read),
torch.load of a state dict from the page cache, the official path's CPU cast of fp32 weights to bf16
(module.to(bfloat16) on CPU, default thread count), and nn.Module.to('cuda') of bf16 weights from
pageable memory (repeated from the profile for context). Writes one JSON object.
"""
import argparse, json, os, tempfile, time
import numpy as np
import torch

def timed(fn, reps=3):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--gb', type=float, default=4.0)
    a = ap.parse_args()
    n = int(a.gb * 1e9 / 4)
    res = {'schema': 'vgsim-host-load/1', 'threads': torch.get_num_threads(), 'cpu_count': os.cpu_count(), 'bytes_fp32': n * 4}
    x = torch.randn(n)
    with tempfile.TemporaryDirectory() as d:
        raw = os.path.join(d, 'w.bin')
        x.numpy().tofile(raw)
        np.fromfile(raw, dtype=np.float32)  # warm the page cache
        s = timed(lambda: np.fromfile(raw, dtype=np.float32))
        res['page_cache_read_gbps'] = n * 4 / s / 1e9
        pt = os.path.join(d, 'w.pt')
        torch.save({'w': x}, pt)
        torch.load(pt, weights_only=True)
        s = timed(lambda: torch.load(pt, weights_only=True))
        res['torch_load_from_page_cache_gbps'] = n * 4 / s / 1e9
    m = torch.nn.Linear(1, 1, bias=False)
    s = timed(lambda: x.to(torch.bfloat16))
    res['cpu_cast_fp32_to_bf16_gbps_of_fp32_read'] = n * 4 / s / 1e9
    xb = x.to(torch.bfloat16)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
        def h2d():
            y = xb.to('cuda'); torch.cuda.synchronize(); return y
        h2d()
        s = timed(h2d)
        res['pageable_h2d_bf16_gbps'] = n * 2 / s / 1e9
        xp = xb.pin_memory()
        def h2dp():
            y = xp.to('cuda', non_blocking=True); torch.cuda.synchronize(); return y
        h2dp()
        res['pinned_h2d_bf16_gbps'] = n * 2 / timed(h2dp) / 1e9
        s = timed(lambda: xb.pin_memory())
        res['pin_memory_gbps'] = n * 2 / s / 1e9
    with open(a.out, 'w') as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))

if __name__ == '__main__':
    main()
