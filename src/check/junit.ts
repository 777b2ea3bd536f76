/**
 * `vgsim check --junit FILE`: the verdict as JUnit XML, the format CI systems (GitHub Actions reporters, GitLab,
 * Jenkins) read as test results. One <testsuite> per baseline file, one <testcase> per check; a failing check
 * carries one <failure> whose text lists its failing metrics with file:line:col. No timestamps or times: the
 * file is the same for the same results. Bad input (exit 2) is one <testcase> with an <error> per problem.
 */
import { formatIssue, type InputIssue } from '../errors.ts';
import { failureText, metricLocation } from './report.ts';
import type { BaselineResult } from './run.ts';

/** Text safe in an XML attribute or element: the five entities escaped, characters XML 1.0 forbids dropped. */
export function xmlText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>';

export function checkJunit(results: BaselineResult[]): string {
  const out = [HEADER];
  const checks = results.flatMap((r) => r.checks);
  out.push(`<testsuites name="vgsim check" tests="${checks.length}" failures="${checks.filter((c) => !c.ok).length}" errors="0">`);
  for (const r of results) {
    const file = r.baseline.file;
    out.push(`  <testsuite name="${xmlText(r.baseline.name)}" file="${xmlText(file)}" tests="${r.checks.length}" failures="${r.checks.filter((c) => !c.ok).length}" errors="0">`);
    for (const c of r.checks) {
      const line = r.baseline.locate(['checks', c.check.index]).line;
      const attrs = `name="${xmlText(c.check.name)}" classname="${xmlText(file)}" file="${xmlText(file)}"${line !== undefined ? ` line="${line}"` : ''}`;
      const bad = c.metrics.filter((m) => !m.ok);
      if (bad.length === 0) {
        out.push(`    <testcase ${attrs}/>`);
        continue;
      }
      const message = `${bad.length} of ${c.metrics.length} metrics ${bad.every((m) => m.status === 'FAIL') ? 'outside bounds' : 'drifted or outside bounds'}: ${bad.map((m) => m.metric).join(', ')}`;
      const text = bad.map((m) => `${metricLocation(file, m)}  ${failureText(m)}`).join('\n');
      out.push(`    <testcase ${attrs}>`, `      <failure message="${xmlText(message)}" type="${bad.some((m) => m.status === 'DRIFT') ? 'DRIFT' : 'FAIL'}">${xmlText(text)}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/** The JUnit file of a run stopped by bad input: one errored test case listing every problem. */
export function errorJunit(issues: InputIssue[]): string {
  const message = `invalid input (${issues.length} problem${issues.length === 1 ? '' : 's'})`;
  return [
    HEADER,
    '<testsuites name="vgsim check" tests="1" failures="0" errors="1">',
    '  <testsuite name="baseline input" tests="1" failures="0" errors="1">',
    '    <testcase name="baseline input" classname="vgsim check">',
    `      <error message="${xmlText(message)}" type="InputError">${xmlText(issues.map(formatIssue).join('\n'))}</error>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
