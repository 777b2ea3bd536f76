"""Prints a dense attention case list for profile_gpu.py --attn-cases: where the profile's grid has a point every
2x in length, this steps by 256 tokens at short lengths, so the staircase of whole waves of CTAs over the SMs
(a tile-quantised kernel's time jumps when one more query tile per head spills into another wave) shows.

    python3 calibration/profile_gpu.py --sections attention --graph --attn-target-s 0.05 \
        --attn-cases "$(python3 calibration/attention_dense_cases.py)" --out attention-dense.json

Self-attention (lq = lk) with cuDNN at the Wan models' 12, 24 and 40 heads, 1,024-12,288 tokens every 256 and on
to 32,768 every 1,024; at 5, 10 and 20 heads (Ulysses shards of 40) every 512 to 16,384 and FA2 at 12 and 40
heads every 512; cross-attention (512 keys) with cuDNN at 12 and 40 heads every 512 queries to 16,384.
"""
cases = []
for h in (12, 24, 40):
    for L in list(range(1024, 12288 + 1, 256)) + list(range(13312, 32768 + 1, 1024)):
        cases.append(("cudnn", 1, h, 128, L, L))
for h in (5, 10, 20):
    for L in range(1024, 16384 + 1, 512):
        cases.append(("cudnn", 1, h, 128, L, L))
for h in (12, 40):
    for L in range(1024, 12288 + 1, 512):
        cases.append(("flash", 1, h, 128, L, L))
for h in (12, 40):
    for L in range(1024, 16384 + 1, 512):
        cases.append(("cudnn", 1, h, 128, L, 512))
print(",".join(":".join(str(v) for v in c) for c in cases))
