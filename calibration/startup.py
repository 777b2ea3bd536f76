#!/usr/bin/env python3
"""Process start-up costs of a replica before it can load weights: a fresh Python interpreter, `import torch`,
the first CUDA tensor (context creation), and — for multi-GPU replicas — NCCL initialisation (one process per
GPU, init_process_group + the first all-reduce, which creates the communicator). Medians of --reps runs, each
in a fresh process as a cold-starting replica would be.

    python3 calibration/startup.py --out startup.json [--reps 3]
"""
import argparse, json, os, statistics, subprocess, sys, time

CHILD = r'''
import time, os, sys
t0 = time.time()
import torch
t1 = time.time()
torch.zeros(1, device="cuda"); torch.cuda.synchronize()
t2 = time.time()
print("%.6f %.6f" % (t1 - t0, t2 - t1))
'''

NCCL = r'''
import os, sys, time
os.environ["NCCL_NVLS_ENABLE"] = "0"; os.environ["TORCH_SYMM_MEM_DISABLE_MULTICAST"] = "1"; os.environ["NVSHMEM_DISABLE_NVLS"] = "1"
import torch, torch.distributed as dist, torch.multiprocessing as mp
def w(rank, world, port, q):
    os.environ["MASTER_ADDR"] = "127.0.0.1"; os.environ["MASTER_PORT"] = str(port)
    torch.cuda.set_device(rank); torch.zeros(1, device="cuda"); torch.cuda.synchronize()
    t0 = time.time()
    dist.init_process_group("nccl", rank=rank, world_size=world, device_id=torch.device("cuda", rank))
    x = torch.ones(1, device="cuda"); dist.all_reduce(x); torch.cuda.synchronize()
    if rank == 0: q.put(time.time() - t0)
    dist.destroy_process_group()
if __name__ == "__main__":
    world = int(sys.argv[1]); ctx = mp.get_context("spawn"); q = ctx.Queue()
    mp.start_processes(w, args=(world, 29700 + os.getpid() % 200, q), nprocs=world, join=True, start_method="spawn")
    print("%.6f" % q.get())
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    rows = []
    for _ in range(a.reps):
        t = time.time()
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True).stdout.split()
        total = time.time() - t
        rows.append({"process_total_s": total, "import_torch_s": float(out[0]), "cuda_context_s": float(out[1])})
    res = {"schema": "vgsim-startup/1", "reps": a.reps, "python": sys.version.split()[0]}
    for k in rows[0]:
        res[k] = statistics.median(r[k] for r in rows)
    res["runs"] = rows
    try:
        import torch
        n = torch.cuda.device_count()
        res["gpus"] = n
        res["gpu_name"] = torch.cuda.get_device_name(0)
        res["torch"] = torch.__version__
        if n >= 2:
            nccl = []
            import tempfile
            with tempfile.TemporaryDirectory() as d:
                script = os.path.join(d, "nccl_init.py")  # spawned workers re-import the main module: it must be a file
                with open(script, "w") as f:
                    f.write(NCCL)
                for _ in range(a.reps):
                    out = subprocess.run([sys.executable, script, str(n)], capture_output=True, text=True, check=True).stdout.split()
                    nccl.append(float(out[-1]))
            res["nccl_init_s"] = statistics.median(nccl)
            res["nccl_init_ranks"] = n
            res["nccl_runs"] = nccl
    except Exception as e:  # noqa: BLE001
        res["nccl_error"] = repr(e)
    res["measured_at"] = time.strftime("%Y-%m-%d")
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: v for k, v in res.items() if k not in ("runs", "nccl_runs")}, indent=1))


if __name__ == "__main__":
    main()
