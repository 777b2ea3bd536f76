/**
 * RIFE v4.15–4.21 IFNet (Practical-RIFE `IFNet_HDv3` of those versions; Huang et al., "Real-Time Intermediate
 * Flow Estimation for Video Frame Interpolation", ECCV 2022), one call = one new frame between two frames, as
 * calibration/postprocess_bench.py implements it:
 *
 *   inputs padded to a multiple of 32 (H32, W32), fp16;
 *   head (on both frames): conv 3→32 stride 2, conv 32→32, conv 32→32 (LeakyReLU), ConvTranspose 32→8 (k4 s2);
 *   4 IFBlocks at scales 8, 4, 2, 1 with c = 192, 128, 96, 64; block 0 takes 7 + 16 channels (two frames, two
 *     8-channel features, the timestep), later ones 8 + 4 + 16 (+ mask and the flow): the input bilinearly
 *     resized by 1/scale, conv in→c/2 s2, conv c/2→c s2 (LeakyReLU), 8 residual blocks (conv c→c, ×β, +x,
 *     LeakyReLU) at 1/(4·scale), ConvTranspose c→24 (k4 s2) and pixel shuffle 2 → 6 channels (4 flow, 1 mask,
 *     1 unused) at 1/scale, resized back; after each block both frames and both features are warped by the flow
 *     (grid_sample);
 *   the sigmoid mask blends the two warped frames.
 * A convolution's FLOPs are 2·Cin·Cout·k²·Hout·Wout (ConvTranspose2d(k=4, s=2): 2·Cin·Cout·16·Hin·Win, the same
 * as its 2×2 sub-pixel equivalent on the 2× output); the bench counts the same FLOPs with forward hooks.
 */
import { FrameNet, convParams, type Fmap, type NetDtype } from './frame-net.ts';
import type { StageBuilder } from '../ops.ts';

const BLOCKS: { c: number; scale: number; cin: number }[] = [
  { c: 192, scale: 8, cin: 7 + 16 },
  { c: 128, scale: 4, cin: 8 + 4 + 16 },
  { c: 96, scale: 2, cin: 8 + 4 + 16 },
  { c: 64, scale: 1, cin: 8 + 4 + 16 },
];

/** IFNet parameters: the head and the four blocks (weights, biases and the residual blocks' β). */
export function rifeParams(): number {
  let p = convParams(3, 32, 3) + 2 * convParams(32, 32, 3) + convParams(32, 8, 4);
  for (const { c, cin } of BLOCKS) p += convParams(cin, c / 2, 3) + convParams(c / 2, c, 3) + 8 * (convParams(c, c, 3) + c) + convParams(c, 24, 4);
  return p;
}

/** Frame size RIFE runs at: padded up to a multiple of 32. */
export function rifePadded(width: number, height: number): { width: number; height: number } {
  return { width: Math.ceil(width / 32) * 32, height: Math.ceil(height / 32) * 32 };
}

/** The operators of one IFNet call at a (padded) frame size. */
export function buildRifeCall(width: number, height: number, dtype: NetDtype): StageBuilder {
  const { width: W, height: H } = rifePadded(width, height);
  const net = new FrameNet(dtype, rifeParams() * (dtype === 'fp16' || dtype === 'bf16' ? 2 : 4));
  const img0 = net.input('img0', 3, H, W);
  const img1 = net.input('img1', 3, H, W);
  const head = (x: Fmap, tag: string): Fmap => {
    net.b.section(`rife.head`);
    let f = net.conv(`head${tag}.cnn0`, x, 32, 3, { stride: 2, keepInput: true });
    net.inPlace(`head${tag}.lrelu0`, f);
    f = net.conv(`head${tag}.cnn1`, f, 32, 3);
    net.inPlace(`head${tag}.lrelu1`, f);
    f = net.conv(`head${tag}.cnn2`, f, 32, 3);
    net.inPlace(`head${tag}.lrelu2`, f);
    return net.conv(`head${tag}.cnn3`, f, 8, 4, { transposed: true });
  };
  const f0 = head(img0, '0');
  const f1 = head(img1, '1');
  const timestep = net.input('timestep', 1, H, W);
  net.passes('timestep.new_full', net.bytes(1, H, W), 1);
  let flowMask: Fmap | undefined; // 4 flow + 1 mask channels at full resolution
  let warped: Fmap[] = [];
  BLOCKS.forEach(({ c, scale, cin }, i) => {
    net.b.section(`rife.block${i}`);
    // block 0 takes the frames and features; later ones the warped ones, the mask and flow × (1/scale) (a new tensor)
    const flowIn = flowMask ? net.map(`block${i}.flow_scale`, flowMask, 'binary', 4 / 5, { keepInput: true, c: 4 }) : undefined;
    const parts = i === 0 ? [img0, img1, f0, f1, timestep] : [...warped, timestep, { ...flowMask!, c: 1 }, flowIn!];
    let x = net.cat(`block${i}.cat`, parts);
    if (flowIn) net.free(flowIn);
    if (x.c !== cin) throw new Error(`RIFE block ${i}: ${x.c} input channels, expected ${cin}`);
    if (scale !== 1) x = net.resize(`block${i}.downsample`, x, Math.max(1, Math.round(H / scale)), Math.max(1, Math.round(W / scale)));
    let f = net.conv(`block${i}.conv0a`, x, c / 2, 3, { stride: 2 });
    net.inPlace(`block${i}.lrelu_a`, f);
    f = net.conv(`block${i}.conv0b`, f, c, 3, { stride: 2 });
    net.inPlace(`block${i}.lrelu_b`, f);
    for (let r = 0; r < 8; r++) {
      const y = net.conv(`block${i}.res${r}.conv`, f, c, 3, { keepInput: true });
      const z = net.map(`block${i}.res${r}.beta_mul`, y, 'binary');
      const s = net.map(`block${i}.res${r}.add`, z, 'binary', 2);
      net.inPlace(`block${i}.res${r}.lrelu`, s);
      net.free(f);
      f = s;
    }
    let t = net.conv(`block${i}.lastconv`, f, 24, 4, { transposed: true });
    t = net.map(`block${i}.pixel_shuffle`, t, 'copy', 1, { c: 6, h: t.h * 2, w: t.w * 2 });
    if (scale !== 1) t = net.resize(`block${i}.upsample`, t, H, W);
    // tmp[:, :4] * scale (a new 4-channel flow), tmp[:, 4:5] a view; then flow + fd and mask + m after block 0
    let next = net.map(`block${i}.flow_times_scale`, t, 'binary', 4 / 6, { c: 5 });
    if (flowMask) {
      next = net.map(`block${i}.flow_add`, next, 'binary', 2 * 4 / 5, { c: 5 });
      net.passes(`block${i}.mask_add`, 3 * net.bytes(1, H, W), 1);
      net.free(flowMask);
    }
    flowMask = next;
    net.free(...warped);
    // warp(src, flow) as the bench writes it: linspace ×2, stack(gx, gy), flow[:, 0] and flow[:, 1] scaled, stack,
    // grid + f (7 kernels over 18 elements per pixel), then grid_sample (read the source and the grid, write the result)
    warped = [img0, img1, f0, f1].map((src, k) => {
      net.passes(`block${i}.warp${k}.grid`, 18 * net.bytes(1, H, W), 7);
      return net.map(`block${i}.warp${k}`, src, 'copy', 1 + 2 / src.c, { keepInput: true });
    });
  });
  net.b.section('rife.merge');
  // m = sigmoid(mask); wimg0 * m + wimg1 * (1 - m): sigmoid, mul, rsub, mul, add
  const m = net.map('merge.sigmoid', flowMask!, 'activation', 1 / 5, { keepInput: true, c: 1 });
  const a = net.map('merge.mul0', warped[0]!, 'binary', 4 / 3, { keepInput: true });
  net.passes('merge.one_minus', 2 * net.bytes(1, H, W), 1);
  const bm = net.map('merge.mul1', warped[1]!, 'binary', 4 / 3, { keepInput: true });
  const out = net.map('merge.add', a, 'binary', 2, { keepInput: true });
  net.free(m, a, bm, ...warped, flowMask!, timestep, f0, f1, img0, img1, out);
  return net.b;
}
