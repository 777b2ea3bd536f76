/**
 * The thermal model (src/serving/thermal.ts, src/serving/cooling.ts, src/hardware/cooling.ts) against closed
 * forms and hand calculations: steady state T = T_c + R·P, the step response with its time constant, the
 * throttle onset and the slowed remainder of a phase, energy as the exact integral of power; in the runtime: a
 * hot inlet costs videos per hour and a cool one does not, liquid cooling drops the fans and lowers the PUE,
 * determinism; the calibration constants against the measured traces they come from.
 */
import { describe, it, expect } from 'vitest';
import { dirname, resolve } from 'node:path';
import { Simulator } from '../src/engine/index.ts';
import { PowerMeter } from '../src/engine/power-meter.ts';
import { Thermal, secondsToReach, steadyStateC, temperatureAfter, throttleSpeed } from '../src/serving/thermal.ts';
import type { ThermalParams } from '../src/serving/cooling.ts';
import { COOLING_DEFAULTS, gpuThermal, H100_AIR_RESISTANCE_K_PER_W, H100_AIR_TIME_CONSTANT_S, REFERENCE_COOLANT_C } from '../src/hardware/cooling.ts';
import { listGpus } from '../src/hardware/catalog.ts';
import { checkTrajectory, fitPowerFileSteps, fitThermalFile } from '../src/calibration/thermal-fit.ts';
import { tLimitC } from '../src/docs/thermal-measured-block.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, summaryOf } from '../src/serving/simulate.ts';
import { InputError } from '../src/errors.ts';

const P: ThermalParams = {
  gpu: 'h100-sxm', coolantC: 30, resistance: 0.08, tau: 20, dieStep: 0, limitC: 87, limitW: (87 - 30) / 0.08, throttles: true,
  p0W: 143, alpha: 2.88, busyClockMHz: 1350, idleClockMHz: 345, slowdownC: 89,
};

function rig() {
  const sim = new Simulator();
  const meter = new PowerMeter(() => sim.now, false);
  const channel = meter.channel('gpu', 'gpus');
  return { sim, meter, channel, thermal: new Thermal({ sim, meter }) };
}

describe('the die step onto the heat sink (two-node model)', () => {
  const D: ThermalParams = { ...P, dieStep: 0.02 };
  it('a power step moves the die by R_d·ΔP at once; the heat sink follows at τ; the steady state is still T_c + R·P', () => {
    const { sim, thermal } = rig();
    const owner = {};
    thermal.set(owner, D, 1, 100);
    const g = thermal.group(owner)!;
    expect(g.temperatureAt(0)).toBeCloseTo(30 + 0.08 * 100, 9);
    sim.schedule(10, () => thermal.set(owner, D, 1, 500));
    sim.run({ until: 10 });
    expect(g.temperatureAt(10)).toBeCloseTo(38 + 0.02 * 400, 9); // the die's step alone
    const sinkSS = 30 + 0.06 * 500;
    expect(g.temperatureAt(30)).toBeCloseTo(sinkSS + (30 + 0.06 * 100 - sinkSS) * Math.exp(-20 / 20) + 0.02 * 500, 9);
    expect(g.temperatureAt(1e4)).toBeCloseTo(30 + 0.08 * 500, 6);
  });
  it('a throttle onset comes sooner than without the step (the die reaches the limit with a cooler heat sink) and holds the die at the limit', () => {
    const onsetOf = (p: ThermalParams) => {
      const { thermal } = rig();
      const owner = {};
      thermal.set(owner, p, 1, 100);
      return thermal.phaseSeconds(owner, p, 800, 1000) - 1000; // extra seconds the throttle costs
    };
    expect(onsetOf(D)).toBeGreaterThan(onsetOf(P));
    const { sim, thermal, channel } = rig();
    const owner = {};
    thermal.set(owner, D, 1, 100);
    thermal.runPhase(owner, D, 1, channel, 800, 500, () => {}, () => {});
    sim.run({ until: 400 });
    const g = thermal.group(owner)!;
    expect(g.temperatureAt(sim.now)).toBeCloseTo(87, 6);
    expect(g.maxTemp).toBeLessThanOrEqual(87 + 1e-9);
  });
});

describe('first-order thermal model (closed form)', () => {
  it('settles at T_c + R·P and follows the step response with its time constant', () => {
    const { sim, thermal } = rig();
    const owner = {};
    thermal.set(owner, P, 1, 100); // starts in steady state at 100 W
    const g = thermal.group(owner)!;
    expect(g.temperatureAt(0)).toBeCloseTo(30 + 0.08 * 100, 12);
    sim.schedule(10, () => thermal.set(owner, P, 1, 500)); // a step to 500 W at t = 10 s (no phase: no throttling)
    sim.run({ until: 10 });
    const T0 = 38, Tss = 30 + 0.08 * 500; // 70 °C
    // one time constant after the step: 1 − 1/e of the way
    expect(g.temperatureAt(10 + 20)).toBeCloseTo(Tss - (Tss - T0) / Math.E, 10);
    expect(g.temperatureAt(10 + 200)).toBeCloseTo(Tss - (Tss - T0) * Math.exp(-10), 10);
    expect(steadyStateC(P, 500)).toBe(70);
    expect(temperatureAfter(T0, Tss, 20, 20 * Math.log(2))).toBeCloseTo((T0 + Tss) / 2, 12);
  });

  it('throttles a phase exactly when the die reaches its limit, then holds it there at P_lim', () => {
    const { sim, meter, channel, thermal } = rig();
    const owner = {};
    thermal.set(owner, P, 1, 100); // 38 °C
    const W = 800; // T_ss = 94 °C > 87: throttles
    const seconds = 100; // at full speed
    let endedAt = NaN;
    let joulesAtEnd = NaN;
    let handle = -1;
    handle = thermal.runPhase(owner, P, 1, channel, W, seconds, () => ((endedAt = sim.now), (joulesAtEnd = meter.totalJoules())), (h) => (handle = h));
    expect(handle).toBeGreaterThanOrEqual(0);
    sim.run({ until: 1e6 });
    // onset by hand: τ ln((94 − 38)/(94 − 87)) = 20 ln 8
    const onset = 20 * Math.log(56 / 7);
    expect(secondsToReach(38, 94, 87, 20)).toBeCloseTo(onset, 12);
    const pLim = 57 / 0.08; // 712.5 W
    const speed = Math.pow((pLim - 143) / (W - 143), 1 / 2.88);
    expect(throttleSpeed(P, W, pLim)).toBeCloseTo(speed, 14);
    expect(endedAt).toBeCloseTo(onset + (seconds - onset) / speed, 9);
    const g = thermal.group(owner)!;
    expect(g.throttledAt(endedAt)).toBeCloseTo((seconds - onset) / speed, 9);
    expect(g.temperatureAt(endedAt)).toBe(87);
    expect(g.maxTemp).toBeLessThanOrEqual(87);
    // energy: W until the onset, P_lim after it; the meter integrates the same steps
    const joules = W * onset + pLim * ((seconds - onset) / speed);
    expect(g.joulesAt(endedAt)).toBeCloseTo(joules, 6);
    expect(joulesAtEnd).toBeCloseTo(joules, 6);
    // the next hot phase starts at the limit: throttled from its start
    let second = NaN;
    const t1 = sim.now;
    thermal.runPhase(owner, P, 1, channel, W, 10, () => (second = sim.now), () => {});
    sim.run({ until: 1e7 });
    expect(second - t1).toBeCloseTo(10 / speed, 9);
  });

  it('a phase at or below P_lim never throttles, however long', () => {
    const { sim, channel, thermal } = rig();
    const owner = {};
    thermal.set(owner, P, 1, 100);
    let end = NaN;
    thermal.runPhase(owner, P, 1, channel, 712.5, 10_000, () => (end = sim.now), () => {});
    sim.run({ until: 1e6 });
    expect(end).toBe(10_000);
    expect(thermal.group(owner)!.throttledS).toBe(0);
  });
});

describe('cooling figures', () => {
  it('the default (reference air path) never throttles any catalog GPU at any power up to its TDP', () => {
    for (const gpu of listGpus()) {
      const t = gpuThermal(gpu.id);
      expect(REFERENCE_COOLANT_C + t.air.resistanceKPerW * gpu.tdpW, gpu.id).toBeLessThan(t.maxOperatingC);
    }
  });

  it('τ and R of the H100 air path come from the two measured ~700 W step loads (and the published 72 °C)', () => {
    const fits = ['calibration/power/validation/h100-sxm-long-run.json', 'calibration/power/validation/h100-sxm-300s-run.json'].flatMap((f) => fitPowerFileSteps(f));
    expect(fits).toHaveLength(2);
    for (const f of fits) {
      expect(f.rms).toBeLessThan(0.5);
      expect(Math.abs(f.tau - H100_AIR_TIME_CONSTANT_S)).toBeLessThan(0.5);
    }
    // the README's figures: τ 18.9 and 19.2 s, R 0.071 and 0.063 K/W, 71.9 °C at TDP on the reference path
    expect(fits.map((f) => f.tau.toFixed(1))).toEqual(['18.9', '19.2']);
    expect(fits.map((f) => ((f.tInf - REFERENCE_COOLANT_C) / f.powerW).toFixed(3))).toEqual(['0.071', '0.063']);
    expect((REFERENCE_COOLANT_C + gpuThermal('h100-sxm').air.resistanceKPerW * 700).toFixed(1)).toBe('71.9');
    // R: mean of (T∞ − 25 °C)/P over the fits and Latif et al.'s 72 °C at ~700 W
    const rs = [...fits.map((f) => (f.tInf - REFERENCE_COOLANT_C) / f.powerW), (72 - REFERENCE_COOLANT_C) / 700];
    expect(rs.reduce((a, b) => a + b, 0) / rs.length).toBeCloseTo(H100_AIR_RESISTANCE_K_PER_W, 3);
    // the model reproduces each measured equilibrium within 3 °C at its power
    for (const f of fits) expect(Math.abs(REFERENCE_COOLANT_C + H100_AIR_RESISTANCE_K_PER_W * f.powerW - f.tInf)).toBeLessThan(3);
  });

  it('what calibration/thermal.py writes is fitted back to the R, τ and inlet that made it', () => {
    // a synthetic vgsim-thermal/1 file from the model itself: 27 °C inlet, 0.067 K/W, τ 19 s, 180-s levels
    const inlet = 27, R = 0.067, tau = 19;
    let T = inlet + R * 70;
    const steps = [70, 260, 410, 560, 698, 70].map((p, i) => {
      const T0 = T, Tss = inlet + R * p;
      const trace = Array.from({ length: 180 }, (_, k) => ({ t: k, temp_c: temperatureAfter(T0, Tss, tau, k + 0.5), power_w: p }));
      T = temperatureAfter(T0, Tss, tau, 180);
      return { duty: [0, 0.25, 0.5, 0.75, 1, 0][i]!, power_w: p, trace };
    });
    const file = join(mkdtempSync(join(tmpdir(), 'vgsim-thermal-')), 'h100.json');
    writeFileSync(file, JSON.stringify({ schema: 'vgsim-thermal/1', steps }));
    const fit = fitThermalFile(file);
    expect(fit.resistanceKPerW).toBeCloseTo(R, 4);
    expect(fit.inletC).toBeCloseTo(inlet, 1);
    expect(fit.tau).toBeCloseTo(tau, 1);
    expect(fit.steps.length).toBe(5); // the first idle level does not move
  });

  it('the committed H200 run: the full-load and idle levels fit a first-order step; the 50% level, cooled by the fans while its power rose, is left out with the reason', () => {
    const fit = fitThermalFile('calibration/thermal/h200.json');
    expect(fit.steps.map((s) => s.duty)).toEqual([1, 0]);
    expect(fit.steps.every((s) => s.rms < 0.5)).toBe(true);
    expect(fit.rejected.map((r) => r.duty)).toEqual([0.5]);
    expect(fit.rejected[0]!.why).toMatch(/no first-order settling/);
    // that host's path: less rise per watt than the reference air path, a warmer effective inlet
    expect(fit.resistanceKPerW).toBeGreaterThan(0.03);
    expect(fit.resistanceKPerW).toBeLessThan(H100_AIR_RESISTANCE_K_PER_W);
    expect(fit.inletC).toBeGreaterThan(REFERENCE_COOLANT_C);
  });

  it('the committed H100 run (a third card, held out from τ): its full-load τ is the model\'s within 2 s; the model run through every sample with its own R and inlet', () => {
    const fit = fitThermalFile('calibration/thermal/h100-sxm.json');
    const full = fit.steps.find((s) => s.duty === 1)!;
    expect(Math.abs(full.tau - H100_AIR_TIME_CONSTANT_S)).toBeLessThan(2);
    const traj = checkTrajectory('calibration/thermal/h100-sxm.json', { resistanceKPerW: fit.resistanceKPerW, inletC: fit.inletC, tauS: H100_AIR_TIME_CONSTANT_S });
    expect(traj.map((c) => c.duty)).toEqual([0, 1, 0]);
    expect(traj[0]!.maxC).toBeLessThan(2); // the first idle plateau
    // a single first-order mass misses the die's fast step: large errors right after each power step
    expect(traj[1]!.maxC).toBeGreaterThan(5);
  });

  it('vgsim\'s die-on-heat-sink model follows the H100 run\'s cool-down, held out of every fit, within 3 °C', () => {
    const file = 'calibration/thermal/h100-sxm.json';
    const fit = fitThermalFile(file, { firstLevels: 2 }); // idle plateau + full load only
    const spec = gpuThermal('h100-sxm');
    const traj = checkTrajectory(file, { resistanceKPerW: fit.resistanceKPerW, inletC: fit.inletC, tauS: spec.air.timeConstantS, dieStepKPerW: spec.dieStepKPerW });
    expect(traj[2]!.maxC).toBeLessThan(3);
    expect(traj[2]!.rmsC).toBeLessThan(2);
    // the die step itself: the heat-up's first second (the calibration) — (45.2 − 34.0 − 0.4)/(594 − 120)
    expect((45.2 - 34.0 - 0.4) / (594 - 120)).toBeCloseTo(spec.dieStepKPerW, 3);
  });

  it("checkTrajectory: the model's own trajectory has no error", () => {
    const inlet = 27, R = 0.06, tau = 19;
    let T = inlet + R * 100;
    const steps = [100, 700, 100].map((p, i) => {
      const T0 = T, Tss = inlet + R * p;
      const trace = Array.from({ length: 60 }, (_, k) => ({ t: k, temp_c: temperatureAfter(T0, Tss, tau, k + 0.5), power_w: p }));
      T = temperatureAfter(T0, Tss, tau, 60);
      return { duty: [0, 1, 0][i]!, power_w: p, trace };
    });
    const file = join(mkdtempSync(join(tmpdir(), 'vgsim-traj-')), 'x.json');
    writeFileSync(file, JSON.stringify({ schema: 'vgsim-thermal/1', steps }));
    for (const c of checkTrajectory(file, { resistanceKPerW: R, inletC: inlet, tauS: tau })) expect(c.maxC).toBeLessThan(0.05);
  });

  it('reads thresholds that newer drivers report as margins to T.Limit', () => {
    const dump = '        GPU Current Temp                               : 39 C\n        GPU T.Limit Temp                               : 48 C\n';
    expect(tLimitC(dump)).toBe(87);
    expect(tLimitC('GPU Max Operating Temp : 87 C')).toBeUndefined();
  });

  it('PUE and fan share follow from the NVIDIA/Vertiv study numbers', () => {
    // 100% air → 75% liquid: facility −18.1%, total −10.2%, PUE −3.3% from 2,562.8 kW
    const total1 = 2562.8, total4 = total1 * (1 - 0.102);
    const itRatio = (1 - 0.102) / (1 - 0.033);
    const it1 = (total4 - (1 - 0.181) * total1) / (itRatio - (1 - 0.181));
    expect(it1).toBeCloseTo(1846, -1);
    expect(total1 / it1).toBeCloseTo(COOLING_DEFAULTS.pue.air, 2);
    expect(total4 / (it1 * itRatio)).toBeCloseTo(COOLING_DEFAULTS.pue.liquid, 2);
    expect(1 - itRatio).toBeCloseTo(COOLING_DEFAULTS.fanShareOfItPower, 3);
  });
});

const DGX = 'scenarios/dgx-power.yaml';
function run(set: string[], file = DGX) {
  const l = loadScenario(file, { set: ['duration=2h', ...set] });
  return simulate(l.scenario, { baseDir: dirname(resolve(file)), locate: l.locate });
}

describe('cooling in the runtime', () => {
  const none = run([]);
  const cool = run(['cluster.cooling={type: air, inlet_c: 25}']);
  const hot = run(['cluster.cooling={type: air, inlet_c: 45}']);
  const liquid = run(['cluster.cooling={type: liquid, coolant_c: 45}']);

  it('a cool inlet changes no service time; a hot one throttles and costs videos per hour', () => {
    expect(cool.requests.completed).toBe(none.requests.completed);
    expect(cool.latency_s).toEqual(none.latency_s);
    expect(cool.thermal!.throttled_gpu_hours).toBe(0);
    expect(cool.thermal!.max_gpu_temp_c).toBeLessThan(87);
    expect(hot.thermal!.throttled_gpu_hours).toBeGreaterThan(0);
    expect(hot.thermal!.max_gpu_temp_c).toBe(87);
    expect(hot.thermal!.mean_busy_sm_clock_mhz).toBeLessThan(cool.thermal!.mean_busy_sm_clock_mhz);
    expect(hot.latency_s.mean).toBeGreaterThan(cool.latency_s.mean);
    // over four hours the slower service costs a video (three end before it does)
    const [cool4, hot4] = [25, 45].map((c) => run([`cluster.cooling={type: air, inlet_c: ${c}}`, 'duration=4h']));
    expect(hot4!.requests.completed).toBeLessThan(cool4!.requests.completed);
    // warm-water liquid cooling at the same 45 °C does not throttle
    expect(liquid.thermal!.throttled_gpu_hours).toBe(0);
    expect(liquid.requests.completed).toBe(none.requests.completed);
  });

  it('air splits the fans out of the node overhead (same total); liquid drops them and takes its own PUE', () => {
    expect(cool.energy.total_kwh).toBeCloseTo(none.energy.total_kwh, 9);
    expect(cool.energy.by_component_kwh.fans).toBeGreaterThan(0);
    expect(cool.energy.by_component_kwh.node_non_gpu! + cool.energy.by_component_kwh.fans!).toBeCloseTo(none.energy.by_component_kwh.node_non_gpu!, 9);
    expect(liquid.energy.by_component_kwh.fans).toBe(0);
    expect(liquid.energy.total_kwh).toBeCloseTo(none.energy.total_kwh - cool.energy.by_component_kwh.fans!, 9);
    expect(cool.energy.pue).toBe(1.39);
    expect(liquid.energy.pue).toBe(1.34);
    expect(none.energy.pue).toBe(1.2);
    expect(none.thermal).toBeUndefined();
    expect(Object.keys(summaryOf(none))).not.toContain('thermal');
  });

  it('fan power follows airflow cubed, and less airflow means a hotter die', () => {
    const low = run(['cluster.cooling={type: air, inlet_c: 25, airflow: 0.8}']);
    expect(low.energy.by_component_kwh.fans! / cool.energy.by_component_kwh.fans!).toBeCloseTo(0.8 ** 3, 9);
    expect(low.thermal!.gpus[0]!.thermal_resistance_k_per_w).toBeCloseTo(0.067 * 0.8 ** -0.8, 12);
    expect(low.thermal!.max_gpu_temp_c).toBeGreaterThan(cool.thermal!.max_gpu_temp_c);
  });

  it('the timeline shows throttled phases at their real length (each ends where the next begins)', () => {
    const l = loadScenario(DGX, { set: ['duration=1h', 'cluster.cooling={type: air, inlet_c: 45}'] });
    const r = simulate(l.scenario, { timeline: true, locate: l.locate });
    const phases = r.timeline!.filter((e) => e.type === 'phase') as { start: number; end: number; requests: unknown }[];
    let checked = 0, off = 0;
    for (let i = 1; i < phases.length; i++) {
      if (phases[i]!.requests !== phases[i - 1]!.requests) continue; // a new batch
      checked++;
      if (Math.abs(phases[i]!.start - phases[i - 1]!.end) > 1e-6) off++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(off).toBe(0);
    expect(r.thermal!.throttled_gpu_hours).toBeGreaterThan(0);
  });

  it('is deterministic with throttling', () => {
    const again = run(['cluster.cooling={type: air, inlet_c: 45}']);
    expect(JSON.stringify(summaryOf(again))).toBe(JSON.stringify(summaryOf(hot)));
  });

  it('cooling that cannot hold the GPU even near idle is an input error at cluster.cooling', () => {
    // 45 °C inlet through 0.5 K/W: the die reaches 87 °C at 84 W, below the H100's non-SM power
    const l = loadScenario(DGX, { set: ['duration=1h', 'cluster.cooling={type: air, inlet_c: 45, thermal_resistance_k_per_w: 0.5}'] });
    expect(() => simulate(l.scenario, { locate: l.locate })).toThrow(InputError);
    try {
      simulate(l.scenario, { locate: l.locate });
    } catch (e) {
      const issue = (e as InputError).issues[0]!;
      expect(issue.path).toBe('cluster.cooling');
      expect(issue.message).toMatch(/cannot be held below its max operating temperature 87 °C/);
    }
  });
});
