/**
 * The README's commands are run, not trusted (issue 20): every transcript is what the command prints now,
 * every `vgsim` example exits as promised, every shown file is the file and passes `vgsim validate`/`check`,
 * and every `npm run` script it names exists (src/docs/readme-commands.ts says how examples are found).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { examples, runExample, runVgsim, shownFiles, staleFiles, staleTranscripts, transcripts } from '../src/docs/readme-commands.ts';

const README = readFileSync('README.md', 'utf8');

describe('README command transcripts', () => {
  it('there are transcripts, and each is what the command prints now (run `npm run readme` after a change)', () => {
    expect(transcripts(README).length).toBeGreaterThanOrEqual(3);
    expect(staleTranscripts(README)).toEqual([]);
  }, 120_000);
});

describe('README examples run', () => {
  const list = examples(README);
  it('finds the examples (bash blocks and complete inline commands)', () => {
    expect(list.length).toBeGreaterThanOrEqual(10);
    expect(list.map((e) => e.args)).toContain('run scenarios/default.yaml --out out/default');
  });
  for (const e of list) {
    it(`README.md:${e.line}: vgsim ${e.args.slice(0, 90)} exits ${e.exit}`, () => {
      const r = runExample(e);
      expect(r.code, r.output.slice(-2000)).toBe(e.exit);
      expect(r.output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
    }, 300_000);
  }
});

describe('README files', () => {
  it('every shown file is the file', () => {
    expect(shownFiles(README).map((f) => f.path)).toEqual(expect.arrayContaining(['examples/baseline.yaml', 'examples/sweep-spec.yaml']));
    expect(staleFiles(README)).toEqual([]);
  });
  it('the example sweep validates and the example baseline passes (exit 0, not 3)', () => {
    const v = runVgsim('validate examples/sweep-spec.yaml');
    expect(v.code, v.output).toBe(0);
    const c = runVgsim('check examples/baseline.yaml');
    expect(c.code, c.output).toBe(0);
  }, 120_000);
});

describe('README npm scripts', () => {
  it('every `npm run X` the README names exists in package.json', () => {
    const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>);
    const named = [...new Set([...README.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!))];
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((n) => !scripts.includes(n))).toEqual([]);
  });
});

describe('--help examples', () => {
  const COMMANDS = ['run', 'estimate', 'plan', 'capacity', 'size', 'tco', 'sweep', 'merge', 'compare', 'check', 'validate', 'list', 'replay', 'calibrate'];
  const helpExamples = (cmd: string) => runVgsim(`${cmd} --help`).output.split('\n').map((l) => /^\s*\$ vgsim (.*?)(\s{2,}.*|\s+#.*)?$/.exec(l)?.[1]).filter((x): x is string => !!x);
  it('every file an example names exists (or is the user\'s own: my-*, a.yaml, an output path)', () => {
    const missing: string[] = [];
    for (const cmd of COMMANDS) {
      for (const ex of helpExamples(cmd)) {
        const args = ex.replace(/\|.*$/, '').replace(/--(out|deploy|trace|write)\s+\S+/g, '');
        for (const w of args.split(/\s+/)) {
          if (!/\.(ya?ml|csv|json)$/.test(w) || w.includes('*') || /(^|\/)(my[-.]|a\.|b\.|c\.|fit\.csv|other|overheads|trace\.json)/.test(w)) continue;
          try { readFileSync(w.replace(/^'|'$/g, '')); } catch { missing.push(`${cmd}: ${w}`); }
        }
      }
    }
    expect(missing).toEqual([]);
  }, 60_000);
  // the first example of each command that terminates and writes nothing outside a temporary folder
  for (const cmd of ['run', 'estimate', 'plan', 'capacity', 'validate', 'list', 'replay']) {
    it(`vgsim ${cmd} --help: its first example exits 0`, () => {
      const ex = helpExamples(cmd)[0]!;
      expect(ex).toBeTruthy();
      const r = runExample({ line: 0, args: ex.replace(/\s*\|.*$/, ''), exit: 0 });
      expect(r.code, r.output.slice(-2000)).toBe(0);
    }, 300_000);
  }
});
