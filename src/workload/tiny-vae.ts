/**
 * The tiny VAE decoder (TAEHV: taew2_1 for Wan2.1 latents and Wan2.2-A14B, taew2_2 for Wan2.2-TI2V-5B) as
 * operators, following madebyollin/taehv@1f14a56:taehv.py:227-234 (the base decoder, n_f = [256, 128, 64, 64]):
 *   Clamp (tanh) · conv 3×3 (z → 256) · ReLU ·
 *   3 × MemBlock(256) · Upsample ×2 · TGrow(256, 1) · conv 3×3 (256 → 128) ·
 *   3 × MemBlock(128) · Upsample ×2 · TGrow(128, 2) · conv 3×3 (128 → 64) ·
 *   3 × MemBlock(64)  · Upsample ×2 · TGrow(64, 2)  · conv 3×3 (64 → 64) · ReLU · conv 3×3 (64 → 3·patch²)
 * MemBlock(c): cat([x, past]) → conv 3×3 (2c → c), ReLU, conv, ReLU, conv, + x, ReLU (taehv.py MemBlock);
 * TGrow: a 1×1 conv to stride·c channels, frames multiplied by stride (decoder_time_upscale (False, True, True)).
 * Run in parallel over frames (apply_model_with_memblocks parallel mode), in bf16 here (LightX2V's dtype;
 * the checkpoints are fp16), 2-D convolutions priced by the profile's bf16 conv2d rates. The first 3 frames of
 * the 4·T decoded are trimmed (frames_to_trim), giving 4·T − 3 frames like the full VAE.
 */
import { StageBuilder } from './ops.ts';
import type { VaeSpec } from './models.ts';

const BF16 = 2;

/** Weights of taew2_1 (https://huggingface.co/OzzyGT/taew2_1: 11.3M parameters, fp16, 22,642,902 bytes). */
export const TAEHV_WEIGHT_BYTES = 22_642_902;

export function buildTinyVaeDecode(vae: VaeSpec, o: { t: number; h: number; w: number }): StageBuilder {
  const b = new StageBuilder();
  const patch = vae.patchify;
  b.alloc('weights', TAEHV_WEIGHT_BYTES, 'vae_weights');
  let t = o.t;
  let h = o.h;
  let w = o.w;
  let c = vae.zDim;
  const E = (ch: number) => ch * t * h * w * BF16;
  let cur = b.alloc('in', E(c), 'vae_activations');
  let n = 0;
  const conv = (name: string, cin: number, cout: number, k: 1 | 3) => {
    const out = `a${n++}`;
    b.op({ kind: 'conv', name, dims: 2, cin, cout, kernel: [1, k, k], out: [t, h, w], dtype: 'bf16', tf32: false }, { outputs: [[out, E(cout), 'vae_activations']] });
    return out;
  };
  const ew = (name: string, kind: 'activation' | 'copy' | 'binary', bytes: number) => b.op({ kind: 'elementwise', name, ew: kind, bytes, kernels: 1 });
  const step = (next: string) => {
    b.free(cur);
    cur = next;
  };
  ew('clamp_tanh', 'activation', 2 * E(c));
  step(conv('conv_in', c, 256, 3));
  c = 256;
  ew('relu_in', 'activation', 2 * E(c));
  const widths = [256, 128, 64];
  const next = [128, 64, 64];
  const tgrow = [1, 2, 2];
  widths.forEach((f, stage) => {
    for (let m = 0; m < 3; m++) {
      // MemBlock: past = the previous frame's input (a shifted pad, a copy), cat, three convs, skip add, ReLU
      ew(`s${stage}.mem${m}.past_cat`, 'copy', 3 * E(c));
      const cat = b.alloc(`cat${n++}`, E(2 * c), 'vae_activations');
      const c1 = conv(`s${stage}.mem${m}.conv1`, 2 * c, f, 3);
      b.free(cat);
      ew(`s${stage}.mem${m}.relu1`, 'activation', 2 * E(f));
      const c2 = conv(`s${stage}.mem${m}.conv2`, f, f, 3);
      b.free(c1);
      ew(`s${stage}.mem${m}.relu2`, 'activation', 2 * E(f));
      const c3 = conv(`s${stage}.mem${m}.conv3`, f, f, 3);
      b.free(c2);
      ew(`s${stage}.mem${m}.add_relu`, 'binary', 3 * E(f));
      b.free(c3);
    }
    // Upsample ×2 (nearest), TGrow (1×1 conv to stride·c, frames × stride), conv 3×3 to the next width
    const before = E(c);
    h *= 2;
    w *= 2;
    ew(`s${stage}.upsample`, 'copy', before + E(c));
    const up = b.alloc(`up${n++}`, E(c), 'vae_activations');
    step(up);
    if (tgrow[stage]! > 1) {
      const g = conv(`s${stage}.tgrow`, c, c * tgrow[stage]!, 1);
      t *= tgrow[stage]!;
      step(g);
    }
    step(conv(`s${stage}.conv_out`, c, next[stage]!, 3));
    c = next[stage]!;
  });
  ew('relu_out', 'activation', 2 * E(c));
  step(conv('conv_rgb', c, 3 * patch * patch, 3));
  ew('clamp_trim_output', 'copy', 2 * E(3 * patch * patch));
  b.free(cur, 'weights');
  return b;
}
