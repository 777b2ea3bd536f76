/**
 * `--help` says what the README says (newcomer review): serve's help listed the catalog routes without engines and
 * evidence; run's `--out` named three of the files it writes (not report.html, charts/, metrics.openmetrics.txt);
 * capacity's horizon left out the relaxation-time rule its own output prints.
 */
import { describe, it, expect } from 'vitest';
import { vgsim } from './support/cli.ts';
import { CATALOG_KINDS } from '../src/api/catalog.ts';
import { MAX_TRIAL_REQUESTS, RELAXATION_TIMES_PER_TRIAL } from '../src/studies/capacity.ts';

const help = (cmd: string) => vgsim([cmd, '--help']).stdout.replace(/\s+/g, ' ');

describe('--help agrees with what the command does', () => {
  it('serve: every GET route of the server', () => {
    const text = help('serve');
    expect(text).toContain(`GET /api/${CATALOG_KINDS.join('|')}`);
    for (const route of ['/api/scenario?file=', '/api/scenario.schema.json', '/api/runs/', '/api/openapi.json']) expect(text, route).toContain(route);
  });

  it('run: --out names every file it writes by default', () => {
    const text = help('run');
    for (const f of ['summary.json', 'requests.csv', 'timeseries.csv', 'scenario.json', 'report.html', 'charts/', 'metrics.openmetrics.txt']) expect(text, f).toContain(f);
  });

  it('capacity: the horizon rule includes the relaxation time and the request cap the output states', () => {
    const text = help('capacity');
    expect(text).toContain(`${RELAXATION_TIMES_PER_TRIAL} relaxation times`);
    expect(text).toContain(`${MAX_TRIAL_REQUESTS.toLocaleString('en-US')} requests`);
  });
});
