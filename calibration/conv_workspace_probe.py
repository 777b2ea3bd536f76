"""Transient memory of one cuDNN 3-D convolution at video-decoder sizes: what PyTorch's caching allocator holds
during F.conv3d beyond the input and the output (cuDNN's workspace and any layout copies), over a grid of
channels, frames, spatial sizes, dtypes and padding styles. The rows go to the `conv_workspace` list of a
vgsim-gpu-profile/1 file (memory only, no timing; profile_gpu.py's `conv` rows also carry `workspace_bytes`, at
Wan's decoder shapes of 4 frames and less); vgsim prices a convolution's workspace from both
(GpuProfile.convWorkspaceBytes: input + output bytes times the interpolated ratio workspace / (input + output)).
The first run (calibration/logs/conv-workspace-h100-sxm.json) wrote them under `conv`, its fp16 rows as dtype
"bf16" with "half": "fp16"; this version writes `conv_workspace` rows and dtype "fp16", which vgsim's bf16 and
fp32 lookups never read (fp16 is priced as bf16; the fp16 rows are a check).

    python3 calibration/conv_workspace_probe.py --out /tmp/conv-ws.json
    python3 calibration/merge_runs.py calibration/profiles/h100-sxm.json /tmp/conv-ws.json --note "..."

The grid is generic (channels 128/256/512, 8/32/96 output frames, 128x128 and 256x256 outputs), not the
decoders' shapes: the decoders' measured peaks (families_measure.py) stay a check of the model.
`padding`: 'explicit' pads the input before the call (padding 0, HunyuanVideo's F.pad); 'in_conv' pads time
before the call and space inside it (padding (0, 1, 1): LTX-Video, Mochi, CogVideoX).
`blocks_bytes`: the sizes of the blocks allocated inside the call, the output included, largest first
(torch.cuda.memory._record_memory_history), which shows how the transient splits (workspace, layout copies).
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpu_common as G  # noqa: E402

DT = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def blocks_in_call(fn):
    torch.cuda.memory._record_memory_history(max_entries=10000, stacks="python")
    try:
        y = fn()
        torch.cuda.synchronize()
        snap = torch.cuda.memory._snapshot()
    finally:
        torch.cuda.memory._record_memory_history(enabled=None)
    sizes = sorted((e["size"] for e in snap["device_traces"][0] if e["action"] == "alloc"), reverse=True)
    return y, sizes


def run(prec, cin, cout, t, h, w, padding, limit_gb):
    dtype = "fp32" if prec == "tf32" else prec
    es = 4 if dtype == "fp32" else 2
    xshape = (1, cin, t + 2, h + 2, w + 2) if padding == "explicit" else (1, cin, t + 2, h, w)
    in_b = math.prod(xshape) * es
    out_b = cout * t * h * w * es
    rec = dict(kind="conv3d", dtype=dtype, tf32=prec == "tf32", n=1, cin=cin, cout=cout,
               t=t, h=h, w=w, kernel=[3, 3, 3], padding=padding, stage="conv_workspace_probe",
               source="conv_workspace_probe.py")
    if in_b + 5 * out_b > limit_gb * 1e9:
        rec["error"] = "skipped: not enough memory"
        return rec
    old = torch.backends.cudnn.allow_tf32
    try:
        torch.backends.cudnn.allow_tf32 = prec == "tf32"
        x = torch.randn(*xshape, device="cuda", dtype=DT[dtype])
        wt = torch.randn(cout, cin, 3, 3, 3, device="cuda", dtype=DT[dtype]) * 0.05
        bias = torch.randn(cout, device="cuda", dtype=DT[dtype])
        pad = 0 if padding == "explicit" else (0, 1, 1)

        def fn():
            return F.conv3d(x, wt, bias, padding=pad)
        fn()  # the first call picks the algorithm
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        y, sizes = blocks_in_call(fn)
        rec["workspace_bytes"] = max(0, torch.cuda.max_memory_allocated() - base - out_b)
        rec["input_bytes"] = in_b
        rec["output_bytes"] = out_b
        rec["blocks_bytes"] = sizes[:8]
        del y
    except Exception as exc:  # noqa: BLE001 - recorded, the grid goes on
        rec["error"] = G.short_err(exc)
    finally:
        torch.backends.cudnn.allow_tf32 = old
        x = wt = bias = None
        G.cleanup()
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--limit-gb", type=float, default=60.0, help="skip shapes whose input + 5 outputs exceed this")
    ap.add_argument("--quick", action="store_true", help="two shapes: checks the setup")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("needs a CUDA GPU")
    env = G.collect_env()
    res = dict(schema="vgsim-gpu-profile/1", **env, note="conv_workspace_probe.py: transient memory of F.conv3d at decoder sizes",
               conv_workspace=[])
    chans = [128] if a.quick else [128, 256, 512]
    frames = [8] if a.quick else [8, 32, 96]
    sizes = [(128, 128)] if a.quick else [(128, 128), (256, 256)]
    for prec in ("bf16", "fp16", "tf32"):
        for c in chans:
            for t in frames:
                for h, w in sizes:
                    for padding in ("explicit", "in_conv"):
                        rec = run(prec, c, c, t, h, w, padding, a.limit_gb)
                        res["conv_workspace"].append(rec)
                        ws = rec.get("workspace_bytes")
                        print(prec, c, t, h, w, padding, "ws/in %.2f" % (ws / rec["input_bytes"]) if ws is not None else rec.get("error"),
                              [round(s / 1e9, 3) for s in rec.get("blocks_bytes", [])])
                        with open(a.out + ".tmp", "w") as fh:
                            json.dump(res, fh, indent=1)
                        os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
