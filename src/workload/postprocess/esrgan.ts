/**
 * Real-ESRGAN-class ×4 video super-resolution networks (Wang et al., "Real-ESRGAN", ICCVW 2021; the
 * xinntao/Real-ESRGAN and BasicSR architectures), one call = one frame, as calibration/postprocess_bench.py
 * implements them:
 *
 *   realesrgan-x4          RRDBNet(num_feat 64, num_block 23, num_grow_ch 32, scale 4) — RealESRGAN_x4plus:
 *                          conv_first 3→64; 23 RRDBs, each 3 residual dense blocks of 5 convs (64→32, 96→32,
 *                          128→32, 160→32 with LeakyReLU, 192→64), each block's output ×0.2 + its input, and the
 *                          RRDB's ×0.2 + input; conv_body 64→64 + the trunk; nearest ×2, conv 64→64, LeakyReLU,
 *                          twice; conv_hr 64→64, LeakyReLU; conv_last 64→3 (all 3×3);
 *   realesr-animevideov3   SRVGGNetCompact(num_feat 64, num_conv 16, upscale 4, PReLU): conv 3→64, 16 × conv
 *                          64→64, each with PReLU, conv 64→48, pixel shuffle 4, + the nearest-upsampled input;
 *   realesr-general-x4v3   the same with num_conv 32.
 * FLOPs per LR pixel of RRDBNet: 2·9·(3·64 + 69·(64+96+128+160)·32 + 69·192·64 + 64·64) at the LR size, plus
 * 2·9·64·64·(4 + 16 + 16) + 2·9·64·3·16 for the upsampling tail — about 35.9 MFLOP per input pixel.
 */
import { FrameNet, convParams, type Fmap, type NetDtype } from './frame-net.ts';
import type { StageBuilder } from '../ops.ts';
import type { UpscaleModel } from './chain.ts';

const SRVGG_CONVS: Record<Exclude<UpscaleModel, 'realesrgan-x4'>, number> = { 'realesr-animevideov3': 16, 'realesr-general-x4v3': 32 };

export function upscaleParams(model: UpscaleModel): number {
  if (model === 'realesrgan-x4') {
    const rdb = convParams(64, 32, 3) + convParams(96, 32, 3) + convParams(128, 32, 3) + convParams(160, 32, 3) + convParams(192, 64, 3);
    return convParams(3, 64, 3) + 23 * 3 * rdb + 4 * convParams(64, 64, 3) + convParams(64, 3, 3);
  }
  const n = SRVGG_CONVS[model];
  return convParams(3, 64, 3) + 64 + n * (convParams(64, 64, 3) + 64) + convParams(64, 48, 3);
}

/** The operators of upscaling one frame of width×height by 4 with `model`. */
export function buildUpscaleCall(model: UpscaleModel, width: number, height: number, dtype: NetDtype): StageBuilder {
  const net = new FrameNet(dtype, upscaleParams(model) * 2);
  const x = net.input('frame', 3, height, width);
  if (model === 'realesrgan-x4') rrdbNet(net, x);
  else srvgg(net, x, SRVGG_CONVS[model]);
  return net.b;
}

function rrdbNet(net: FrameNet, x: Fmap): void {
  net.b.section('esrgan.head');
  const trunk = net.conv('conv_first', x, 64, 3, { keepInput: true });
  let feat = trunk;
  for (let r = 0; r < 23; r++) {
    net.b.section('esrgan.rrdb');
    const rrdbIn = feat;
    let y = feat;
    for (let d = 0; d < 3; d++) {
      const parts: Fmap[] = [y];
      for (let j = 1; j <= 4; j++) {
        const inp = j === 1 ? y : net.cat(`rdb.cat${j}`, parts);
        const o = net.conv(`rdb.conv${j}`, inp, 32, 3, { keepInput: j === 1 });
        net.inPlace(`rdb.lrelu${j}`, o);
        parts.push(o);
      }
      const c5in = net.cat('rdb.cat5', parts);
      const x5 = net.conv('rdb.conv5', c5in, 64, 3);
      const scaled = net.map('rdb.scale', x5, 'binary');
      const sum = net.map('rdb.residual', scaled, 'binary', 2);
      net.free(...parts.slice(1));
      if (y !== rrdbIn) net.free(y);
      y = sum;
    }
    const scaled = net.map('rrdb.scale', y, 'binary');
    feat = net.map('rrdb.residual', scaled, 'binary', 2);
    if (rrdbIn !== trunk) net.free(rrdbIn);
  }
  net.b.section('esrgan.tail');
  const body = net.conv('conv_body', feat, 64, 3);
  let f = net.map('trunk_add', body, 'binary', 2);
  net.free(trunk);
  for (const k of [1, 2]) {
    // feat = lrelu(conv_up(interpolate(feat))): the old feat stays referenced until the assignment
    const up = net.resize(`up${k}.nearest`, f, f.h * 2, f.w * 2, true);
    const g = net.conv(`conv_up${k}`, up, 64, 3);
    net.inPlace(`up${k}.lrelu`, g);
    net.free(f);
    f = g;
  }
  // conv_last(lrelu(conv_hr(feat))): feat stays referenced through both convs
  const hr = net.conv('conv_hr', f, 64, 3, { keepInput: true });
  net.inPlace('hr.lrelu', hr);
  const out = net.conv('conv_last', hr, 3, 3);
  net.free(out, f, x);
}

function srvgg(net: FrameNet, x: Fmap, convs: number): void {
  net.b.section('srvgg.body');
  let f = net.conv('conv_first', x, 64, 3, { keepInput: true });
  net.inPlace('prelu0', f);
  for (let i = 0; i < convs; i++) {
    f = net.conv(`conv${i + 1}`, f, 64, 3);
    net.inPlace(`prelu${i + 1}`, f);
  }
  net.b.section('srvgg.tail');
  const last = net.conv('conv_last', f, 48, 3);
  const shuffled = net.map('pixel_shuffle', last, 'copy', 1, { c: 3, h: last.h * 4, w: last.w * 4 });
  const base = net.resize('base.nearest', x, x.h * 4, x.w * 4);
  const out = net.map('add_base', shuffled, 'binary', 2);
  net.free(base, out);
}
