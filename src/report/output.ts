/** Writing run results to a folder: summary JSON, per-request CSV, time-series CSV, the scenario as run, and (with monitoring series) OpenMetrics. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { summaryOf, type SimulationResult } from '../serving/simulate.ts';
import { formatCsv, formatCsvRow, type CsvValue, type CsvWriteOptions } from '../csv.ts';
import { writeMetrics, type OpenMetricsOptions } from './openmetrics.ts';
import { makeDirs, outputError, writeOutputFile } from '../make-dirs.ts';
import { scenarioAsInput } from '../scenario/as-input.ts';
import type { Scenario } from '../scenario/schema.ts';

/** The OpenMetrics file `--out` writes when the run recorded its monitoring series. */
export const OPENMETRICS_FILE = 'metrics.openmetrics.txt';
/** The files `run --out` writes at its top level (report.html with its charts/ unless --no-report). */
export const RUN_OUTPUT_FILES = ['summary.json', 'timeseries.csv', 'requests.csv', 'scenario.json', OPENMETRICS_FILE, 'report.html'] as const;

/**
 * Every CSV vgsim writes (src/csv.ts, RFC 4180 quoting): one record per line ending in "\n", numbers with
 * up to 10 significant digits, NaN as an empty cell, and text that a spreadsheet would run as a formula
 * (starting with = + - @) prefixed with a quote — scenario, class and pool names are the user's text.
 */
const CSV_OPTIONS: CsvWriteOptions = {
  eol: '\n',
  neutralizeFormulas: true,
  formatNumber: (n) => (Number.isInteger(n) ? String(n) : n.toPrecision(10)),
};

const cellOf = (v: unknown): CsvValue => (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v));

/** One record as toCsv writes it, for files streamed a row at a time (a header row is written as it is). */
export function csvRecord(cells: readonly unknown[], o: { header?: boolean } = {}): string {
  return formatCsvRow(cells.map(cellOf), o.header ? { ...CSV_OPTIONS, neutralizeFormulas: false } : CSV_OPTIONS);
}

/** Rows of objects as CSV, the first row's keys as the header. */
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]!);
  return formatCsv(rows.map((r) => headers.map((h) => cellOf(r[h]))), { ...CSV_OPTIONS, header: headers });
}

// toJson lives in json.ts (no simulator behind it, for commands that only print JSON); re-exported here
import { toJson } from './json.ts';
export { toJson };

/**
 * requests.csv: one row per request, ended or still in flight, in arrival order. The columns planners compute
 * first come first: state (completed, dropped, failed, in_flight), latency (arrival to video; completed
 * requests only), wait (arrival to first service; requests that started), the class's SLO and whether it was
 * met (a dropped or failed request missed it; one in flight is undecided), the pool and replica that served it
 * last. Cells that do not apply are empty, never NaN.
 */
export const REQUEST_COLUMNS = ['id', 'class', 'state', 'latency_s', 'wait_s', 'slo_s', 'slo_met', 'pool', 'replica', 'arrival_s', 'start_s', 'finish_s', 'retries', 'reason'] as const;

export function requestsCsv(r: SimulationResult): string {
  const rows: { id: number; cells: CsvValue[] }[] = [];
  const started = (start: number) => (Number.isFinite(start) ? start : undefined);
  for (const x of r.records ?? []) {
    const latency = x.outcome === 'completed' ? x.finish - x.arrival : undefined;
    const met = x.slo_s === undefined ? undefined : x.outcome === 'completed' ? latency! <= x.slo_s : false;
    const start = started(x.start);
    rows.push({ id: x.id, cells: [x.id, x.cls, x.outcome, latency, start !== undefined ? start - x.arrival : undefined, x.slo_s, met, x.pool || undefined, x.replica >= 0 ? x.replica : undefined, x.arrival, start, x.finish, x.retries, x.reason] });
  }
  for (const x of r.in_flight_records ?? []) {
    const start = started(x.start);
    rows.push({ id: x.id, cells: [x.id, x.cls, 'in_flight', undefined, start !== undefined ? start - x.arrival : undefined, x.slo_s, undefined, x.pool || undefined, x.replica >= 0 ? x.replica : undefined, x.arrival, start, undefined, x.retries, undefined] });
  }
  rows.sort((a, b) => a.id - b.id); // ids count arrivals
  return formatCsv(rows.map((x) => x.cells), { ...CSV_OPTIONS, header: REQUEST_COLUMNS });
}

/** `baseDir`: the folder the scenario's relative paths resolve against (scenario.json re-expresses them from `dir`). */
export function writeRunOutput(dir: string, r: SimulationResult, scenario: Scenario, metrics: OpenMetricsOptions = {}, baseDir?: string): string[] {
  makeDirs(dir);
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeOutputFile(join(dir, name), text);
    files.push(join(dir, name));
  };
  // the summary without wall time: the files are byte-identical for the same scenario and seed
  write('summary.json', toJson(summaryOf(r)));
  write('timeseries.csv', toCsv(r.timeseries as unknown as Record<string, unknown>[]));
  if (r.records) write('requests.csv', requestsCsv(r));
  write('scenario.json', toJson(scenarioAsInput(scenario, baseDir === undefined ? undefined : { baseDir, outDir: dir })));
  if (r.monitoring) {
    // streamed: a large cluster's series do not fit one string
    const file = join(dir, OPENMETRICS_FILE);
    let fd: number | undefined;
    try {
      fd = openSync(file, 'w');
      const out = fd;
      writeMetrics(r, (chunk) => writeSync(out, chunk), metrics);
    } catch (e) {
      throw outputError(file, e);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    files.push(file);
  }
  return files;
}
