/**
 * The flow-matching sampler's shift (σ' = shift·σ / (1 + (shift − 1)·σ)) a request samples at: the user's
 * `sample_shift`, else the engine's default for the model, else unknown. It costs nothing itself, but it sets
 * the timesteps, and two things vgsim prices follow the timesteps:
 *  - the A14B expert switch (the steps whose timestep is at or above the boundary run the high-noise expert:
 *    workload/models.ts highNoiseSteps);
 *  - the step caches' published schedules: TeaCache's indicator is the change of the timestep embedding between
 *    steps (ali-vilab/TeaCache@7c10efc:TeaCache4Wan2.1/teacache_generate.py:519-545, `modulated_inp = e0 if
 *    use_ret_steps else e`: nothing of the video enters it), and MagCache's ratios were recorded along the
 *    official timesteps; a schedule published at one shift says nothing exact about another (step-cache.ts).
 */
import type { ModelSpec } from '../workload/models.ts';
import type { EngineId } from './profiles.ts';

export interface ShiftChoice {
  shift: number;
  source: string;
}

type Req = { width: number; height: number };

const OFFICIAL_21 = 'Wan-Video/Wan2.1:generate.py _validate_args (5.0; 3.0 for i2v at 832*480), as TeaCache4Wan2.1/teacache_generate.py:594-597 and MagCache4Wan2.1 run it';
const OFFICIAL_22 = 'Wan-Video/Wan2.2:wan/configs (sample_shift: t2v-A14B 12.0, i2v-A14B 5.0, ti2v-5B 5.0; shared/data/wan-architecture.md §A.5)';
const FASTVIDEO = 'hao-ai-lab/FastVideo@7d8cf38:fastvideo/configs/pipelines/wan.py (flow_shift: WanT2V480PConfig 3, WanT2V720PConfig 5, WanI2V480PConfig 3, WanI2V720PConfig 5) and registry.py (Wan2.1-T2V-1.3B → T2V480P, T2V-14B → T2V720P, I2V-14B-480P/720P, Wan2.2-TI2V-5B → T2V720P)';
const SGLANG = 'sgl-project/sglang@055e950:python/sglang/multimodal_gen/configs/pipeline_configs/wan.py (flow_shift: WanT2V480PConfig 3.0, WanT2V720PConfig 5.0, WanI2V480PConfig 3.0, WanI2V720PConfig 5.0, Wan2_2_TI2V_5B 5.0, Wan2_2_T2V_A14B 12.0, Wan2_2_I2V_A14B 5.0)';
const LIGHTX2V_BENCH = 'ModelTC/LightX2V@a10e7462:configs/bench/lightx2v_*.json (I2V-14B, "sample_shift": 5, the July 2025 benchmark\'s configs; its TeaCache and MagCache I2V configs too)';
const LIGHTX2V_T2V = 'ModelTC/LightX2V@a10e7462:configs/caching/*/wan_t2v*.json (every T2V config of its July 2025 cache benchmark: "sample_shift": 8, as Wan\'s README recommends for the 1.3B)';

/** The Wan checkpoint a request runs on (distilled variants sample as their base; I2V-14B by resolution). */
function wanBase(model: ModelSpec): string | undefined {
  if (model.family !== 'wan') return undefined;
  return model.id.replace(/-(step)?distill.*$/, '');
}

const is480 = (req: Req) => Math.min(req.width, req.height) <= 480;

/** The shift the model's official script samples at by default (undefined: not a Wan model vgsim knows). */
export function officialShift(model: ModelSpec, req: Req): ShiftChoice | undefined {
  const base = wanBase(model);
  switch (base) {
    case 'wan2.1-t2v-1.3b':
    case 'wan2.1-t2v-14b':
      return { shift: 5, source: OFFICIAL_21 };
    case 'wan2.1-i2v-14b':
      return { shift: is480(req) ? 3 : 5, source: OFFICIAL_21 };
    case 'wan2.2-t2v-a14b':
      return { shift: 12, source: OFFICIAL_22 };
    case 'wan2.2-i2v-a14b':
    case 'wan2.2-ti2v-5b':
      return { shift: 5, source: OFFICIAL_22 };
    default:
      return undefined;
  }
}

/** The shift an engine samples the model at unless told otherwise (undefined where vgsim does not know it). */
export function engineDefaultShift(engine: EngineId, model: ModelSpec, req: Req): ShiftChoice | undefined {
  const base = wanBase(model);
  if (!base) return undefined;
  switch (engine) {
    case 'official':
      return officialShift(model, req);
    case 'fastvideo':
      if (base === 'wan2.1-t2v-1.3b') return { shift: 3, source: FASTVIDEO };
      if (base === 'wan2.1-t2v-14b' || base === 'wan2.2-ti2v-5b') return { shift: 5, source: FASTVIDEO };
      if (base === 'wan2.1-i2v-14b') return { shift: is480(req) ? 3 : 5, source: FASTVIDEO };
      return undefined; // the A14B configs at 7d8cf38 inherit the 1.3B's 3 without a line of their own: not taken as meant
    case 'sglang':
      if (base === 'wan2.1-t2v-1.3b') return { shift: 3, source: SGLANG };
      if (base === 'wan2.1-t2v-14b' || base === 'wan2.2-ti2v-5b' || base === 'wan2.2-i2v-a14b') return { shift: 5, source: SGLANG };
      if (base === 'wan2.1-i2v-14b') return { shift: is480(req) ? 3 : 5, source: SGLANG };
      if (base === 'wan2.2-t2v-a14b') return { shift: 12, source: SGLANG };
      return undefined;
    case 'lightx2v-2507':
      // the July 2025 benchmarks' configs are Wan2.1's; its Wan2.2 configs are not part of them
      if (base === 'wan2.1-i2v-14b') return { shift: 5, source: LIGHTX2V_BENCH };
      if (base === 'wan2.1-t2v-1.3b' || base === 'wan2.1-t2v-14b') return { shift: 8, source: LIGHTX2V_T2V };
      return undefined;
    default:
      // diffusers, xDiT, cache-dit, vLLM-Omni: the checkpoint's scheduler_config.json; LightX2V: each config file
      // sets its own (3 to 16 across ModelTC/LightX2V@f8aee98:configs): vgsim does not know them
      return undefined;
  }
}

/** The shift a request samples at: the user's, else the engine's default, else undefined. */
export function requestShift(user: number | undefined, engine: EngineId, model: ModelSpec, req: Req): ShiftChoice | undefined {
  if (user !== undefined) return { shift: user, source: 'sample_shift as given' };
  return engineDefaultShift(engine, model, req);
}

/**
 * Where a step cache's schedule, published at the official shift, is applied at another one (or at one vgsim does
 * not know): a short statement (the estimate's `step_cache.off_schedule`, the plan's caveat) and the note with its
 * sources; undefined when they agree.
 */
export function cacheShiftNote(method: string, model: ModelSpec, req: Req, run: ShiftChoice | undefined): { short: string; note: string } | undefined {
  const published = officialShift(model, req);
  if (!published) return undefined;
  if (run && Math.abs(run.shift - published.shift) < 1e-9) return undefined;
  const short = `schedule published at sampler shift ${published.shift}, run at ${run ? run.shift : 'a shift vgsim does not know'}`;
  const why = method === 'TeaCache'
    ? 'its indicator is the change of the timestep embedding between steps (teacache_generate.py:519-545), so the steps and the shift alone set which forwards it skips'
    : 'its magnitude ratios were recorded along the official timesteps';
  const here = run ? `this run samples at shift ${run.shift} (${run.source})` : 'the engine\'s sampler shift is not known to vgsim (set sample_shift)';
  return { short, note: `${method}: schedule published at the official sampler shift ${published.shift}; ${here}: ${why}, and at another shift the fraction of forwards computed is outside what was published` };
}
