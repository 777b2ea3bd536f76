#!/usr/bin/env bash
# One device call (2026-12-07, any GPU): CogVideoX as the diffusers-torchao benchmark runs it, piece by piece, for
# the held-out checks of issue 19 (calibration/published/families.json cog5b-*/cog2b-*): the 2B and 5B DiTs at the
# published 720x480x49 shape (13x60x90 latent) with 4 blocks and at full depth, batch 1; and the untiled VAE decode
# of that video as diffusers runs it (one 3-latent-frame call, then 2-frame calls at the full 60x90), beside the
# 2x30x45 tile the families file already has. Everything comes back as one archive.
set -u; mkdir -p $OUT/c
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv,noheader | tee $OUT/c/gpu.txt
python3 -c 'import torch;print(torch.__version__, torch.version.cuda, torch.backends.cudnn.version())' | tee -a $OUT/c/gpu.txt
cd calibration
timeout 150 python3 families_measure.py --layers 4 --cases cogvideox-2b,cogvideox-5b --out $OUT/c/cog-dit-l4.json > $OUT/c/l4.log 2>&1; echo "l4 rc=$?"
timeout 150 python3 families_measure.py --cases cogvideox-2b,cogvideox-5b --out $OUT/c/cog-dit-full.json > $OUT/c/full.log 2>&1; echo "full rc=$?"
timeout 200 python3 families_measure.py --cases cogvideox-vae --vae-latent cogvideox-vae=3x60x90,2x60x90,2x30x45 --out $OUT/c/cog-vae.json > $OUT/c/vae.log 2>&1; echo "vae rc=$?"
for f in $OUT/c/*.log; do tail -n 4 "$f"; done
tar -czf /tmp/c.tgz -C $OUT c && rm -rf $OUT/c && mv /tmp/c.tgz $OUT/cog.tgz; ls -la $OUT; true
