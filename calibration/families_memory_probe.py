"""What is alive at the peak of a reference VAE decoder call: the allocations PyTorch's caching allocator holds
at the moment `torch.cuda.max_memory_allocated` is reached, each with the Python line that made it. It explains
a gap between vgsim's decoder memory walk (src/workload/families/vae-walk.ts) and the measured peak
(families_measure.py); nothing is fitted on it.

    python3 calibration/families_memory_probe.py --out calibration/families/memory/h100-sxm.json \
        --cases ltx-video-vae,mochi-vae
    python3 calibration/families_memory_probe.py --device cpu --tiny --out /tmp/probe.json   # code path only

Method: torch.cuda.memory._record_memory_history(stacks='python') around one decoder call (after one warm-up
call, so cuDNN's algorithm search is not in the trace), then the snapshot's alloc/free events are replayed in
order; at the highest running total the live blocks are grouped by (the innermost frame in the reference
code, the innermost frame anywhere, size). The running total counts only what was allocated inside the call,
which is what families_measure.py's `peak_activation_bytes` reports (peak minus what was allocated before).
On a CPU (--tiny) the decoder runs once and the row records only that it ran.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families_vae_reference as V  # noqa: E402
from families_count import VAE_CASES  # noqa: E402
from families_measure import VAE_DTYPES  # noqa: E402

REFERENCE_FILES = ("families_vae_reference.py", "families_reference.py")


def frame_label(frames):
    """(innermost frame in the reference code, innermost frame of all) as 'file:line name'."""
    def lab(f):
        return "%s:%d %s" % (os.path.basename(f["filename"]), f["line"], f["name"])
    ref = next((lab(f) for f in frames if os.path.basename(f["filename"]) in REFERENCE_FILES), None)
    return ref, (lab(frames[0]) if frames else None)


def live_at_peak(snapshot):
    """Replays the device-0 trace: returns (peak bytes, live blocks at the peak, final bytes)."""
    live, total, best, best_live = {}, 0, 0, {}
    for e in snapshot["device_traces"][0]:
        act, addr, size = e["action"], e["addr"], e["size"]
        if act == "alloc":
            live[addr] = (size, e.get("frames", []))
            total += size
            if total > best:
                best, best_live = total, dict(live)
        elif act in ("free_requested", "free_completed") and addr in live:
            total -= live.pop(addr)[0]
    return best, best_live, total


def summarise(best_live, top):
    groups = {}
    for size, frames in best_live.values():
        ref, inner = frame_label(frames)
        k = (ref, inner, size)
        g = groups.setdefault(k, dict(ref_line=ref, inner_frame=inner, block_bytes=size, count=0))
        g["count"] += 1
    rows = sorted(groups.values(), key=lambda g: -g["block_bytes"] * g["count"])
    for g in rows:
        g["bytes"] = g["block_bytes"] * g["count"]
    return rows[:top]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--tiny", action="store_true", help="a 2x2x4 latent on the CPU: the code path only")
    ap.add_argument("--cases", default=None, help="comma-separated VAE ids (default: all)")
    ap.add_argument("--top", type=int, default=40, help="groups of live blocks kept per case")
    a = ap.parse_args()
    dev = a.device
    only = set(a.cases.split(",")) if a.cases else None
    unknown = (only or set()) - set(VAE_CASES)
    if unknown:
        sys.exit(f"--cases: unknown {sorted(unknown)}; known: {', '.join(VAE_CASES)}")
    res = dict(schema="vgsim-family-memory-probe/1", torch=torch.__version__,
               device=torch.cuda.get_device_name() if dev == "cuda" else "cpu", tiny=a.tiny, cases=[])
    if dev == "cuda":
        res["cudnn"] = torch.backends.cudnn.version()
    for vid, latent in VAE_CASES.items():
        if only and vid not in only:
            continue
        lat = (2, 2, 4) if a.tiny else latent
        row = dict(kind="vae_decode_call", vae=vid, latent=lat)
        try:
            vd = VAE_DTYPES[vid] if dev == "cuda" else torch.float32
            m = V.build_decoder(vid, device=dev, dtype=vd)
            z = torch.randn(1, V.Z_CHANNELS[vid], *lat, device=dev, dtype=vd)
            with torch.no_grad():
                m(z)  # warm-up: cuDNN's algorithm search stays out of the trace
                if dev == "cuda":
                    torch.cuda.synchronize()
                    torch.cuda.reset_peak_memory_stats()
                    base = torch.cuda.memory_allocated()
                    torch.cuda.memory._record_memory_history(max_entries=2_000_000, stacks="python")
                    out = m(z)
                    torch.cuda.synchronize()
                    snap = torch.cuda.memory._snapshot()
                    torch.cuda.memory._record_memory_history(enabled=None)
                    row["peak_activation_bytes"] = torch.cuda.max_memory_allocated() - base
                    row["output_bytes"] = out.numel() * out.element_size()
                    del out
                    peak, best_live, final = live_at_peak(snap)
                    row["traced_peak_bytes"] = peak
                    row["traced_events"] = len(snap["device_traces"][0])
                    row["live_at_peak"] = summarise(best_live, a.top)
                else:
                    m(z)
                    row["ran"] = True
            del m, z
        except Exception as e:  # noqa: BLE001 - recorded, the run goes on
            row["error"] = f"{type(e).__name__}: {e}"[:300]
        res["cases"].append(row)
        with open(a.out + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        os.replace(a.out + ".tmp", a.out)
        if dev == "cuda":
            torch.cuda.empty_cache()
        print(vid, row.get("peak_activation_bytes"), row.get("traced_peak_bytes"), row.get("error", ""))


if __name__ == "__main__":
    main()
