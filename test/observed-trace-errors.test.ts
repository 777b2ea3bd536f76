/**
 * Errors in an observed trace point at the cell: file:line:column with the column as the header warnings count it
 * (they all said column 1), and a request trace (a DiT benchmark's rows) given where an observed trace belongs says
 * what it is and how to get an observed one (src/calibration/observed-trace.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseObserved } from '../src/calibration/observed-trace.ts';
import { issuesOf } from './support/issues.ts';

// the columns in another order than the harness writes them: the column numbers must follow the file's header
const HEADER = 'outcome,request_id,width,height,frames,steps,arrival_s,dispatch_s,start_s,finish_s,response_s';
const row = (cells: Partial<Record<string, string>>) => {
  const base: Record<string, string> = { outcome: 'completed', request_id: '0', width: '64', height: '64', frames: '9', steps: '6', arrival_s: '1', dispatch_s: '1', start_s: '1.1', finish_s: '2', response_s: '2' };
  return HEADER.split(',').map((c) => cells[c] ?? base[c]).join(',');
};

describe('observed trace: where a bad cell is', () => {
  it('a non-numeric time, a fractional width and a finish before arrival name their own column', () => {
    const text = [HEADER, row({ finish_s: 'abc' }), row({ request_id: '1', width: '64.5' }), row({ request_id: '2', arrival_s: '3', dispatch_s: '', start_s: '', finish_s: '2.5', response_s: '' })].join('\n') + '\n';
    const issues = issuesOf(() => parseObserved(text, 'mine.csv'));
    expect(issues.map((i) => [i.line, i.col, i.path])).toEqual([[2, 10, 'finish_s'], [3, 3, 'width'], [4, 10, 'finish_s']]);
    expect(issues[2]!.message).toBe('finish_s (2.5) is before arrival_s (3)');
  });

  it('a misspelt required column names the header cell it probably is (it said only "no arrival_s column")', () => {
    const [i] = issuesOf(() => parseObserved([HEADER.replace('arrival_s', 'arival_s'), row({})].join('\n') + '\n', 'mine.csv'));
    expect([i!.line, i!.message]).toEqual([1, 'not an observed trace: no arrival_s column (a misspelt column: "arival_s" for arrival_s?)']);
  });

  it('a width that is no number is reported once (it was also "expected a positive integer")', () => {
    const issues = issuesOf(() => parseObserved([HEADER, row({ width: 'NaN' })].join('\n') + '\n', 'mine.csv'));
    expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([[2, 'width', 'expected a number, got "NaN"']]);
  });

  it('rows out of arrival order: the arrival_s column, and a suggestion', () => {
    const text = [HEADER, row({ arrival_s: '5', dispatch_s: '5', start_s: '5.1', finish_s: '6', response_s: '6' }), row({ request_id: '1' })].join('\n') + '\n';
    const [i] = issuesOf(() => parseObserved(text, 'mine.csv'));
    expect([i!.line, i!.col, i!.path, i!.hint]).toEqual([3, 7, 'arrival_s', 'sort the rows by arrival_s']);
  });
});

describe('observed trace: a request trace in its place', () => {
  it('DiT-benchmark rows say they are a request trace and how to turn them into an observed one', () => {
    const [i] = issuesOf(() => parseObserved('width,height,num_frames,num_inference_steps,slo_ms\n64,64,9,6,8000\n', 'dit.csv'));
    expect(i!.message).toBe('not an observed trace: no request_id, arrival_s, outcome, frames, steps columns');
    expect(i!.hint).toMatch(/^this is a request trace \(what was asked\), not an observed trace \(what the server did\): send it to your server with calibration\/serving\/harness\.py run --arrivals trace --trace FILE \(--rate R where it has no time column\)/);
    expect(i!.hint).toMatch(/workload\.arrivals: \{process: trace, file: FILE\}/);
  });

  it('a file that is neither keeps the pointer to the format', () => {
    const [i] = issuesOf(() => parseObserved('foo,bar\n1,2\n', 'x.csv'));
    expect(i!.hint).toBe('the format is vgsim-observed-trace/1: calibration/serving/README.md');
  });
});
