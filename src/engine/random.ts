/**
 * Seeded random streams. Every subsystem draws from its own stream, derived from the scenario seed and
 * the stream's name, so adding or changing one subsystem (say, failures) never reshuffles another
 * (arrivals). Generator: seedrandom's Alea (fast, 2^116 period), seeded with the string `${seed}/${name}`.
 */
import seedrandom from 'seedrandom';

/**
 * Tables of the 256-level ziggurat for the unit exponential (Marsaglia & Tsang, "The Ziggurat Method for
 * Generating Random Variables", J. Stat. Software 5(8), 2000, procedure zigset). About 99% of draws take
 * the fast path (one uniform, one compare, one multiply; no logarithm).
 */
const ZIG_KE = new Float64Array(256);
const ZIG_WE = new Float64Array(256);
const ZIG_FE = new Float64Array(256);
const ZIG_R = 7.697117470131487;
(() => {
  const m2 = 4294967296;
  const ve = 3.949659822581572e-3;
  let de = ZIG_R;
  let te = de;
  const q = ve / Math.exp(-de);
  ZIG_KE[0] = (de / q) * m2;
  ZIG_KE[1] = 0;
  ZIG_WE[0] = q / m2;
  ZIG_WE[255] = de / m2;
  ZIG_FE[0] = 1;
  ZIG_FE[255] = Math.exp(-de);
  for (let i = 254; i >= 1; i--) {
    de = -Math.log(ve / de + Math.exp(-de));
    ZIG_KE[i + 1] = (de / te) * m2;
    te = de;
    ZIG_FE[i] = Math.exp(-de);
    ZIG_WE[i] = de / m2;
  }
})();

export class RandomStream {
  private readonly next: () => number;
  private spareNormal: number | undefined;

  constructor(readonly name: string, seed: string) {
    this.next = seedrandom.alea(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Uniform in (0, 1]: safe inside log(). */
  private open(): number {
    return 1 - this.next();
  }

  /** Exponential with the given rate (mean 1/rate), by the ziggurat method. */
  exponential(rate: number): number {
    // Alea's outputs are exact multiples of 2^-32, so this is an exact uniform 32-bit integer.
    const j = this.next() * 4294967296;
    const i = j & 255;
    if (j < ZIG_KE[i]!) return (j * ZIG_WE[i]!) / rate;
    return this.exponentialTail(j, i) / rate;
  }

  private exponentialTail(j: number, i: number): number {
    for (;;) {
      if (i === 0) return ZIG_R - Math.log(this.open());
      const x = j * ZIG_WE[i]!;
      if (ZIG_FE[i]! + this.next() * (ZIG_FE[i - 1]! - ZIG_FE[i]!) < Math.exp(-x)) return x;
      j = this.next() * 4294967296;
      i = j & 255;
      if (j < ZIG_KE[i]!) return j * ZIG_WE[i]!;
    }
  }

  /** Standard normal (Marsaglia polar method). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + sd * z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + sd * u * f;
  }

  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Gamma(shape k, scale θ), mean kθ (Marsaglia–Tsang, with the k<1 boost). */
  gamma(shape: number, scale: number): number {
    if (shape < 1) return this.gamma(shape + 1, scale) * Math.pow(this.open(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.open();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /** Weibull with shape k and scale λ (mean λ·Γ(1+1/k)). */
  weibull(shape: number, scale: number): number {
    return scale * Math.pow(-Math.log(this.open()), 1 / shape);
  }

  /** Index drawn with probability proportional to weights[i]. */
  weightedIndex(weights: readonly number[], total?: number): number {
    const sum = total ?? weights.reduce((a, b) => a + b, 0);
    let x = this.next() * sum;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

/** Factory of named streams for one scenario seed. The same (seed, name) always yields the same sequence. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number | string) {}

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(name, `${this.seed}/${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}
