/** Writing run results to a folder: summary JSON, per-request CSV, time-series CSV, the scenario as run, and (with monitoring series) OpenMetrics. */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { summaryOf, type SimulationResult } from '../serving/simulate.ts';
import { writeMetrics, type OpenMetricsOptions } from './openmetrics.ts';

/** The OpenMetrics file `--out` writes when the run recorded its monitoring series. */
export const OPENMETRICS_FILE = 'metrics.openmetrics.txt';

export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return '';
    const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(10)) : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers.join(','), ...rows.map((r) => headers.map((h) => cell(r[h])).join(','))].join('\n') + '\n';
}

/** Stable JSON: numbers as JavaScript prints them, keys in insertion order. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

export function writeRunOutput(dir: string, r: SimulationResult, scenario: unknown, metrics: OpenMetricsOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  // the summary without wall time: the files are byte-identical for the same scenario and seed
  write('summary.json', toJson(summaryOf(r)));
  write('timeseries.csv', toCsv(r.timeseries as unknown as Record<string, unknown>[]));
  if (r.records) write('requests.csv', toCsv(r.records as unknown as Record<string, unknown>[]));
  write('scenario.json', toJson(scenario));
  if (r.monitoring) {
    // streamed: a large cluster's series do not fit one string
    const file = join(dir, OPENMETRICS_FILE);
    const fd = openSync(file, 'w');
    try {
      writeMetrics(r, (chunk) => writeSync(fd, chunk), metrics);
    } finally {
      closeSync(fd);
    }
    files.push(file);
  }
  return files;
}
