/**
 * An observed trace of a server that ran test/fixtures/serving/sleep-profile.json's stage times exactly, one worker,
 * with 10 ms dispatch, 5 ms before the encode, 10 + 2 ms after the decode and a 15 ms request overhead: the known
 * answer that the replay and calibration tests recover.
 */
import { readFileSync } from 'node:fs';

export const OBSERVED_HEADER = 'request_id,model,width,height,frames,steps,cfg,seed,slo_ms,client_send_s,arrival_s,dispatch_s,start_s,encode_start_s,encode_end_s,denoise_start_s,denoise_end_s,decode_start_s,decode_end_s,post_end_s,worker_end_s,finish_s,response_s,worker,device,outcome,error';

const profile = JSON.parse(readFileSync('test/fixtures/serving/sleep-profile.json', 'utf8'));
/** The profile's 64x64x9f shape, 6 steps. */
export const SLEEP_SMALL = profile.shapes[0] as { encode_s: { mean: number }; step_s: { mean: number }; decode_s: { mean: number } };

/** The trace's CSV lines (header first) for requests of the small shape arriving at `arrivals` (seconds). */
export function sleepServerRows(arrivals: readonly number[]): string[] {
  const s = SLEEP_SMALL;
  const rows = [OBSERVED_HEADER];
  let free = 0;
  arrivals.forEach((a, i) => {
    const d = Math.max(a, free);
    const st = d + 0.01;
    const e1 = st + 0.005 + s.encode_s.mean;
    const d1 = e1 + 6 * s.step_s.mean;
    const f1 = d1 + s.decode_s.mean;
    free = f1 + 0.015;
    rows.push([i, 'wan-tiny-a14b', 64, 64, 9, 6, 'true', i, '', '', a, d, st, st + 0.005, e1, e1, d1, d1, f1, f1 + 0.01, f1 + 0.012, free, free, 0, 'sleep', 'completed', ''].join(','));
  });
  return rows;
}
