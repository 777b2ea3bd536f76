/**
 * The run summary's energy and cost lines can be checked by hand (arch review findings 9 and 10): energy per
 * video says whether it is IT or facility energy, and $/video prints the videos/h it divides by (the arrival
 * window's), which is not the throughput line's (completed / simulated time, drain included).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { loadScenario } from '../src/scenario/load.ts';
import { simulate, type SimulationResult } from '../src/serving/simulate.ts';
import { runSummary } from '../src/report/run-summary.ts';
import { fmtSeconds } from '../src/report/table.ts';

const runOf = (file: string, set: string[] = []) => simulate(loadScenario(file, { set }).scenario);

describe('run summary: energy per video names IT and facility', () => {
  let r: SimulationResult;
  let text: string;
  beforeAll(() => {
    r = runOf('scenarios/dgx-power.yaml');
    text = runSummary(r);
  });

  it('prints IT Wh/video, and the facility figure with its PUE (404 Wh stood next to "kWh IT" unlabelled)', () => {
    const e = r.energy;
    expect(e.pue).toBe(1.2);
    const it = Math.round(e.per_video_wh / e.pue);
    expect(text).toContain(`, ${it} Wh/video IT (${e.per_video_wh.toFixed(0)} Wh at PUE 1.2), ${e.per_video_second_wh.toFixed(1)} Wh per second of video at PUE 1.2;`);
    // IT per video is the IT energy over the completed videos
    expect(it).toBe(Math.round((e.total_kwh * 1000) / r.requests.completed));
  });
});

describe('run summary: $/video with the rate it divides by', () => {
  it('cloud $/video × the printed videos/h × 730 h is the printed $/month (it was not with the throughput line)', () => {
    const r = runOf('scenarios/default.yaml', ['cost.basis=cloud']);
    const text = runSummary(r);
    const m = /cost \(cloud\): \$([\d.]+)\/video \(([\d.]+) videos\/h over the ([\d.]+) h arrival window\), \$[\d.]+\/video-second, \$(\d+)\/month/.exec(text);
    expect(m, text.split('\n').find((l) => l.startsWith('cost'))).not.toBeNull();
    // the list price says its kind (a RunPod on-demand list price, not a market median)
    expect(text).toContain('price: h100-sxm $4.76/GPU-hour (RunPod on-demand): ');
    const [perVideo, rate, window, month] = m!.slice(1).map(Number) as [number, number, number, number];
    expect(window).toBe(8);
    expect(rate).toBeCloseTo(r.requests.completed / 8, 1);
    expect(month / (rate * 730)).toBeCloseTo(perVideo, 2);
    // the throughput line divides by the drained simulated time: another rate, and so another $/video
    expect(Math.abs(month / (r.throughput_per_h * 730) - perVideo)).toBeGreaterThan(0.05);
  });
});

describe('run summary: the queue wait row has every column the latency row has', () => {
  it('p90 and max of the queue wait are computed and printed (the row had two blank cells), and zero prints as 0 s (not "0 us")', () => {
    const r = runOf('scenarios/default.yaml');
    const w = r.queue_wait_s as unknown as Record<string, number>;
    for (const k of ['mean', 'p50', 'p90', 'p95', 'p99', 'max']) expect(Number.isFinite(w[k]), k).toBe(true);
    expect(w.p90!).toBeLessThanOrEqual(w.p95!);
    expect(w.max!).toBeGreaterThanOrEqual(w.p99!);
    const row = runSummary(r).split('\n').find((l) => l.startsWith('queue wait'))!;
    const cells = row.slice('queue wait'.length).trim().split(/\s{2,}/);
    expect(cells, row).toHaveLength(6);
    expect(row).not.toContain(' us');
    expect(fmtSeconds(0)).toBe('0 s');
  });
});
