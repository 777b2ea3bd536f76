/**
 * `vgsim check --junit FILE`: the verdict as JUnit XML, the format CI systems (GitHub Actions reporters, GitLab,
 * Jenkins) read as test results. One <testsuite> per baseline file, one <testcase> per check; a failing check
 * carries one <failure> whose text lists its failing metrics with file:line:col. No timestamps or times: the
 * file is the same for the same results. Bad input (exit 2): a failing <testcase> per problem, at its file:line (errorJunit).
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
  const checks = results.flatMap((r) => r.checks);
  return document(checks.length, checks.filter((c) => !c.ok).length, results.flatMap(baselineSuite));
}

/** The <testsuites> document around suites (tests and failures counted over all of them). */
function document(tests: number, failures: number, suites: string[]): string {
  return [HEADER, `<testsuites name="vgsim check" tests="${tests}" failures="${failures}" errors="0">`, ...suites, '</testsuites>', ''].join('\n');
}

/** One baseline file's <testsuite>: a <testcase> per check, a failing one with its failing metrics at file:line:col. */
function baselineSuite(r: BaselineResult): string[] {
  const out: string[] = [];
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
  return out;
}

/**
 * The JUnit file of a run stopped by bad input (exit 2): the checks that did run, as checkJunit writes them, then one
 * <testsuite> per file with problems and in it one failing <testcase> per problem, named by its field (else its file or flag) and carrying
 * its file and line (what CI annotations point at), the message "file:line:col  field: what was expected (suggestion)".
 * A CI report then shows each input error as a failed test where it is, not one "baseline input" error holding them all.
 */
export function errorJunit(issues: InputIssue[], ran: BaselineResult[] = []): string {
  const checks = ran.flatMap((r) => r.checks);
  const sources = [...new Set(issues.map((i) => i.source))];
  const suites = sources.flatMap((source) => {
    const mine = issues.filter((i) => i.source === source);
    return [
      `  <testsuite name="${xmlText(`${source}: invalid input`)}"${mine.some((i) => i.line !== undefined) ? ` file="${xmlText(source)}"` : ''} tests="${mine.length}" failures="${mine.length}" errors="0">`,
      ...mine.flatMap((i) => [
        `    <testcase name="${xmlText(`invalid input: ${i.path || i.source}`)}" classname="${xmlText(source)}"${i.line !== undefined ? ` file="${xmlText(source)}" line="${i.line}"` : ''}>`,
        `      <failure message="${xmlText(formatIssue(i))}" type="InputError">${xmlText(formatIssue(i))}</failure>`,
        '    </testcase>',
      ]),
      '  </testsuite>',
    ];
  });
  return document(checks.length + issues.length, checks.filter((c) => !c.ok).length + issues.length, [...ran.filter((r) => r.checks.length > 0).flatMap(baselineSuite), ...suites]);
}
