/**
 * A small vocabulary for the post-processing networks' operator lists: 2D convolutions on one frame (batch 1),
 * the eager elementwise passes around them, and the tensors' lifetimes (as torch.no_grad frees them), on top of
 * StageBuilder. Every convolution is a ConvOp (dims 2), priced by the cost model exactly as the VAE decoder's
 * convolutions are (perf/device.ts: the profile's measured conv rates; narrower convs by perf/small-conv.ts), with
 * cuDNN's NHWC workspace (input + output); every elementwise pass is its minimum read + write bytes at the
 * profile's bandwidth for that kernel family, one kernel each unless said.
 */
import { DTYPE_BYTES, StageBuilder, type ElementwiseKind } from '../ops.ts';

export type NetDtype = 'fp16' | 'bf16';

/** A feature map [c, h, w] of one frame. */
export interface Fmap {
  name: string;
  c: number;
  h: number;
  w: number;
}

export class FrameNet {
  readonly b = new StageBuilder();
  readonly eb: number;
  private n = 0;

  constructor(readonly dtype: NetDtype, weightBytes: number) {
    this.eb = DTYPE_BYTES[dtype];
    this.b.alloc('weights', weightBytes, 'postprocess_weights');
  }

  bytes(c: number, h: number, w: number): number {
    return c * h * w * this.eb;
  }

  /** A new live feature map (an input frame, say). */
  input(what: string, c: number, h: number, w: number): Fmap {
    const name = `${what}#${this.n++}`;
    this.b.alloc(name, this.bytes(c, h, w), 'postprocess_activations');
    return { name, c, h, w };
  }

  free(...xs: Fmap[]): void {
    for (const x of xs) if (this.b.has(x.name)) this.b.free(x.name);
  }

  /**
   * Conv2d k×k (stride 1 or 2, "same" padding) of x to `cout` channels; or, with `transposed`, ConvTranspose2d
   * (k = 4, stride 2, padding 1) written as the equivalent 2×2 sub-pixel convolution on the 2× output.
   */
  conv(name: string, x: Fmap, cout: number, k: number, opts: { stride?: 1 | 2; transposed?: boolean; keepInput?: boolean } = {}): Fmap {
    const stride = opts.stride ?? 1;
    const h = opts.transposed ? x.h * 2 : Math.ceil(x.h / stride);
    const w = opts.transposed ? x.w * 2 : Math.ceil(x.w / stride);
    const kernel: [number, number, number] = opts.transposed ? [1, 2, 2] : [1, k, k];
    const out: Fmap = { name: `${name}#${this.n++}`, c: cout, h, w };
    const differs = opts.transposed || stride !== 1;
    this.b.op(
      { kind: 'conv', name, dims: 2, cin: x.c, cout, kernel, out: [1, h, w], dtype: this.dtype, tf32: false, ...(differs ? { inputHW: [x.h, x.w] as [number, number] } : {}) },
      // cuDNN's NHWC copies of the input and the output (16-bit tensor-core kernels on NCHW tensors): the profile's
      // bf16 conv2d rows allocate 1.00–1.06 × (input + output) bytes of workspace (calibration/profiles/h100-sxm.json)
      { outputs: [[out.name, this.bytes(cout, h, w), 'postprocess_activations']], frees: opts.keepInput ? [] : [x.name], workspace: this.bytes(x.c, x.h, x.w) + this.bytes(cout, h, w) },
    );
    return out;
  }

  /** An elementwise pass in place (activation, scale): reads and writes x. */
  inPlace(name: string, x: Fmap, kind: ElementwiseKind = 'activation'): void {
    this.b.op({ kind: 'elementwise', name, ew: kind, bytes: 2 * this.bytes(x.c, x.h, x.w), kernels: 1 });
  }

  /** An elementwise op reading `reads` maps of x's size and writing a new one (x freed unless kept). */
  map(name: string, x: Fmap, kind: ElementwiseKind, reads = 1, opts: { keepInput?: boolean; c?: number; h?: number; w?: number } = {}): Fmap {
    const c = opts.c ?? x.c;
    const h = opts.h ?? x.h;
    const w = opts.w ?? x.w;
    const out: Fmap = { name: `${name}#${this.n++}`, c, h, w };
    const inBytes = reads * this.bytes(x.c, x.h, x.w);
    this.b.op({ kind: 'elementwise', name, ew: kind, bytes: inBytes + this.bytes(c, h, w), kernels: 1 }, { outputs: [[out.name, this.bytes(c, h, w), 'postprocess_activations']], frees: opts.keepInput ? [] : [x.name] });
    return out;
  }

  /** Small elementwise kernels on temporaries (index grids, scalars): `bytes` read + written over `kernels` kernels. */
  passes(name: string, bytes: number, kernels: number): void {
    this.b.op({ kind: 'elementwise', name, ew: 'binary', bytes, kernels });
  }

  /** torch.cat along channels: a copy of every part into a new map (the parts stay alive). */
  cat(name: string, parts: Fmap[]): Fmap {
    const c = parts.reduce((a, p) => a + p.c, 0);
    const { h, w } = parts[0]!;
    const out: Fmap = { name: `${name}#${this.n++}`, c, h, w };
    this.b.op({ kind: 'elementwise', name, ew: 'copy', bytes: 2 * this.bytes(c, h, w), kernels: 1 }, { outputs: [[out.name, this.bytes(c, h, w), 'postprocess_activations']] });
    return out;
  }

  /** Bilinear or nearest resize of x to h×w (a read of x and a write of the result). */
  resize(name: string, x: Fmap, h: number, w: number, keepInput = false): Fmap {
    return this.map(name, x, 'copy', 1, { keepInput, h, w });
  }
}

/** Parameters of a conv layer (weights and bias). */
export function convParams(cin: number, cout: number, k: number): number {
  return cin * cout * k * k + cout;
}
