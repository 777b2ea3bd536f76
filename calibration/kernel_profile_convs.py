#!/usr/bin/env python3
"""Convolution rows for a GPU profile from a families_profile.py kernel profile.

    python3 calibration/kernel_profile_convs.py PROFILE.json CASE[,CASE...] --out PARTIAL.json
    python3 calibration/merge_runs.py calibration/profiles/h100-sxm.json PARTIAL.json --note "..."

families_profile.py records every aten::convolution of a decoder call by input shape: calls and CUDA time with
its children (the NCHW<->NHWC layout passes, the cuDNN kernel, the separate bias add), which is what
profile_gpu.py's conv rows time too (F.conv3d with bias on NCHW tensors). This turns the 3x3x3 convolutions of
the named cases into `conv` rows (vgsim-gpu-profile/1, output extents, a `source` naming the file and case), so
the profile holds channel counts the Wan-shaped microbenchmark lacks. The decoders of the reference
(families_vae_reference.py) pad time in front of the conv (F.pad or torch.cat) and space inside it
(padding k // 2), except HunyuanVideo's, which pads both in front (padding 0): output extents follow from that.
Needs only the Python standard library.
"""
import argparse
import json

# decoder dtype as families_measure.py runs it (VAE_DTYPES) and whether the conv pads space itself
CASES = {
    "mochi-vae": ("fp32", True, True),
    "ltx-video-vae": ("bf16", False, True),
    "cogvideox-vae": ("bf16", False, True),
    "hunyuan-video-vae": ("bf16", False, False),  # fp16: the same tensor cores, priced as bf16 (device.ts)
}


def rows(profile, case):
    dtype, tf32, pads_space = CASES[case]
    c = next(x for x in profile["cases"] if x["case"] == case)
    out = []
    for r in c["convolutions"]:
        inp, wt = json.loads(r["shapes"].replace("[]", "null"))[:2]
        if len(inp) != 5 or wt[2:] != [3, 3, 3]:
            continue
        _, cin, t, h, w = inp
        sp = 0 if pads_space else 2
        ot, oh, ow = t - 2, h - sp, w - sp
        s = r["device_ms"] / r["calls"] / 1e3
        flops = 2.0 * cin * wt[0] * 27 * ot * oh * ow
        out.append(dict(kind="conv3d", dtype=dtype, tf32=tf32, n=1, cin=cin, cout=wt[0], t=ot, h=oh, w=ow,
                        kernel=[3, 3, 3], s=s, tflops=flops / s / 1e12, calls=r["calls"],
                        source="%s %s (families_profile.py, aten::convolution with its children)" % (profile["_file"], case)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("profile")
    ap.add_argument("cases")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.profile) as f:
        p = json.load(f)
    p["_file"] = a.profile
    conv = [r for case in a.cases.split(",") for r in rows(p, case)]
    part = dict(schema="vgsim-gpu-profile/1", measured_at=None, gpu_name=p["device"], conv=conv)
    with open(a.out, "w") as f:
        json.dump(part, f, indent=1)
    print("%s: %d conv rows" % (a.out, len(conv)))


if __name__ == "__main__":
    main()
