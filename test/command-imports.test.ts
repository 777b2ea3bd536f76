import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';

/** The packages a command's bundle imports when it loads (static imports, as scripts/build.mjs bundles it). */
async function loadedPackages(command: string): Promise<string[]> {
  const r = await build({ entryPoints: [`src/cli/commands/${command}.ts`], bundle: true, write: false, format: 'esm', platform: 'node', packages: 'external', metafile: true, logLevel: 'silent', outdir: 'out/command-imports' });
  const inputs = r.metafile.inputs;
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const i of inputs[f]?.imports ?? []) if (i.kind !== 'dynamic-import') visit(i.path);
  };
  visit(`src/cli/commands/${command}.ts`);
  return [...seen].filter((f) => !f.startsWith('src/') && !f.startsWith('node:')).sort();
}

// start-up: zod and its schemas, yaml and the simulator's seedrandom cost `vgsim plan` ~0.3 s of CPU per call before
// it searched anything (a CI job calls it hundreds of times); the chart renderers load on the first chart only
describe('what a command loads at start-up', () => {
  it('estimate and plan load neither zod, yaml, the simulator nor a renderer', async () => {
    for (const command of ['estimate', 'plan']) {
      const pkgs = await loadedPackages(command);
      for (const heavy of ['zod', 'yaml', 'seedrandom', 'vega', 'vega-lite', '@resvg/resvg-js', 'piscina']) expect(pkgs, `${command} loads ${heavy}`).not.toContain(heavy);
    }
  }, 30_000);
});
