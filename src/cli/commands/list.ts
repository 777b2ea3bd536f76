import type { Command } from 'commander';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { listGpus, listLinks, listNodes, listStorage } from '../../hardware/catalog.ts';
import { listModels } from '../../workload/request.ts';
import { ditParams } from '../../workload/models.ts';
import { builtinProfile } from '../../perf/profile.ts';
import { YamlSource } from '../../scenario/yaml-source.ts';
import { table } from '../../report/table.ts';
import { UsageError } from '../usage-error.ts';
import { didYouMean } from '../../errors.ts';

const KINDS = ['gpus', 'models', 'links', 'nodes', 'storage', 'scenarios'] as const;

export function registerList(program: Command): void {
  program
    .command('list')
    .description(`list what vgsim knows: ${KINDS.join(', ')}`)
    .argument('<what>', KINDS.join('|'))
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ vgsim list gpus
  $ vgsim list nodes --json`)
    .action((what: string, o: { json?: boolean }) => {
      const kind = what.toLowerCase();
      if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`unknown list "${what}"; ${didYouMean(what, KINDS) ?? `choose one of ${KINDS.join(', ')}`}`);
      const { headers, rows, json } = listing(kind as (typeof KINDS)[number]);
      process.stdout.write(o.json ? JSON.stringify(json, null, 2) + '\n' : table(headers, rows) + '\n');
    });
}

function listing(kind: (typeof KINDS)[number]) {
  switch (kind) {
    case 'gpus': {
      const g = listGpus();
      return {
        headers: ['id', 'name', 'memory GB', 'HBM GB/s', 'bf16 TFLOP/s', 'fp8', 'TDP W', 'profile'],
        rows: g.map((x) => [x.id, x.name, x.memGB, x.memBwGBs, x.tflops.bf16, x.tflops.fp8 ?? '-', x.tdpW, builtinProfile(x.id) ? 'measured' : 'extrapolated']),
        json: g,
      };
    }
    case 'models': {
      const m = listModels();
      return {
        headers: ['id', 'name', 'task', 'experts', 'DiT params (B)', 'layers', 'dim', 'heads', 'VAE', 'default size'],
        rows: m.map((x) => [x.id, x.name, x.task, x.experts, ditParams(x.dit) / 1e9, x.dit.layers, x.dit.dim, x.dit.heads, x.vae.id, `${x.defaults.width}x${x.defaults.height}x${x.defaults.frames}f/${x.defaults.steps}st`]),
        json: m,
      };
    }
    case 'links': {
      const l = listLinks();
      return { headers: ['id', 'name', 'kind', 'GB/s per dir', 'latency us', 'busbw eff'], rows: l.map((x) => [x.id, x.name, x.kind, x.perDirGBs, x.latencyUs, x.busBwEfficiency]), json: l };
    }
    case 'nodes': {
      const n = listNodes();
      return { headers: ['id', 'name', 'gpu', 'gpus', 'fabric', 'nics'], rows: n.map((x) => [x.id, x.name, x.gpu, x.gpusPerNode, `${x.intraNode.topology}/${x.intraNode.link}`, x.nics.count ? `${x.nics.count}x ${x.nics.link}` : '-']), json: n };
    }
    case 'storage': {
      const s = listStorage();
      return { headers: ['id', 'name', 'kind', 'read GB/s'], rows: s.map((x) => [x.id, x.name, x.kind, x.readGBs]), json: s };
    }
    case 'scenarios': {
      const dir = 'scenarios';
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : [];
      const rows = files.map((f) => {
        let name = '', desc = '';
        try {
          const v = YamlSource.read(join(dir, f)).value() as { name?: string; description?: string };
          name = v.name ?? '';
          desc = (v.description ?? '').split('\n')[0]!.slice(0, 80);
        } catch {
          desc = '(invalid YAML)';
        }
        return [join(dir, f), name, desc];
      });
      return { headers: ['file', 'name', 'description'], rows, json: rows.map(([file, name, description]) => ({ file, name, description })) };
    }
  }
}
