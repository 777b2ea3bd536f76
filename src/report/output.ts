/** Writing run results to a folder: summary JSON, per-request CSV, time-series CSV, the scenario as run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulationResult } from '../serving/simulate.ts';

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

/** The summary object printed by `run --json` and written to summary.json (no bulky arrays, no wall time). */
export function summaryOf(r: SimulationResult): Omit<SimulationResult, 'timeseries' | 'records' | 'estimates' | 'timeline'> {
  const { timeseries: _t, records: _r, estimates: _e, timeline: _l, ...rest } = r;
  return rest;
}

export function writeRunOutput(dir: string, r: SimulationResult, scenario: unknown): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  // wall time varies run to run; keep the files byte-identical for the same scenario and seed
  const { wall_time_s: _w, ...deterministic } = summaryOf(r);
  write('summary.json', toJson(deterministic));
  write('timeseries.csv', toCsv(r.timeseries as unknown as Record<string, unknown>[]));
  if (r.records) write('requests.csv', toCsv(r.records as unknown as Record<string, unknown>[]));
  write('scenario.json', toJson(scenario));
  return files;
}
