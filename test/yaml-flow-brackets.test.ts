/**
 * A --set-style key with an index ("cluster.nodes[0].type") written unquoted in a flow mapping ({ … }), as a sweep's
 * variants are, is one mistake with one fix (finding: two such variants gave 16 raw parser messages, "Missing , or :
 * between flow map items", "Map keys must be unique", … and no word of quoting).
 */
import { describe, it, expect } from 'vitest';
import { YamlSource } from '../src/scenario/yaml-source.ts';
import { InputError } from '../src/errors.ts';

const issuesOf = (text: string) => {
  try {
    YamlSource.parse('s.yaml', text);
  } catch (e) {
    if (e instanceof InputError) return e.issues;
    throw e;
  }
  return [];
};

describe('YAML: an indexed key unquoted in a flow mapping', () => {
  it('one issue per line, saying to quote the key', () => {
    const issues = issuesOf([
      'sweep:',
      '  variants:',
      '    - { name: a, set: { cluster.nodes[0].type: mi300x-8, "cluster.nodes[0].count": 12 } }',
      '    - { name: b, set: { cluster.nodes[0].type: dgx-b200-8, deployment.replicas: 7 } }',
      '',
    ].join('\n'));
    expect(issues.map((i) => i.line)).toEqual([3, 4]);
    for (const i of issues) {
      expect(i.message).toMatch(/^YAML syntax: /);
      expect(i.hint).toMatch(/quote a key holding \[ \] inside \{ … \}: "cluster\.nodes\[0\]\.type": …/);
    }
  });

  it('block mappings with the same key parse, and other syntax errors keep their messages', () => {
    expect(issuesOf('set:\n  cluster.nodes[0].type: mi300x-8\n')).toEqual([]);
    const other = issuesOf('a: {b: 1\n');
    expect(other.length).toBeGreaterThan(0);
    expect(other[0]!.hint).toBeUndefined();
  });
});
