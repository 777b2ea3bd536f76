import type { Command } from 'commander';
import { UsageError, intFlag } from '../usage-error.ts';
import { existsSync, statSync } from 'node:fs';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('local HTTP server: the JSON API (estimate, run, plan, capacity, validate, catalog) and the web UI')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on (loopback by default; anything else exposes the simulator to your network)', '127.0.0.1')
    .option('--scenarios <dir>', 'your scenario folder: listed in the UI and readable through the API (default: the current directory)', '.')
    .option('--max-body <bytes>', 'largest request body', String(1 << 20))
    .option('--max-requests <n>', 'largest expected number of simulated requests per call (capacity: × trials)', '200000')
    .option('--quiet', 'do not log requests')
    .addHelpText('after', `
The API: POST /api/estimate, /api/run, /api/plan, /api/capacity, /api/validate (JSON bodies, validated like
the CLI's input: 400 with every problem); GET /api/gpus|models|links|nodes|storage|scenarios|engines|evidence
(the catalogs of vgsim list), /api/scenario?file=, /api/scenario.schema.json, /api/runs/{id}/{file} (the files
a POST /api/run with "out": true wrote); the OpenAPI document at /api/openapi.json. The web UI at / edits
and runs scenarios, compares runs and plans layouts.

Examples:
  $ vgsim serve                          http://127.0.0.1:8080
  $ vgsim serve --port 9000 --scenarios ./my-scenarios
  $ curl -s localhost:8080/api/estimate -d '{"model":"wan2.2-t2v-a14b","gpu":"h100-sxm","resolution":"1280x720","inference":{"offload":true}}'`)
    .action(async (o: { port: string; host: string; scenarios: string; maxBody: string; maxRequests: string; quiet?: boolean }) => {
      const port = intFlag('--port', o.port, 0, { max: 65_535, why: 'a TCP port' });
      if (port > 65535) throw new UsageError(`--port expects 0..65535, got ${port}`);
      // a folder that is not there served an empty list without a word
      if (!existsSync(o.scenarios) || !statSync(o.scenarios).isDirectory()) throw new UsageError(`--scenarios expects a folder, got "${o.scenarios}" (${existsSync(o.scenarios) ? 'a file' : 'no such folder'})`);
      const { createVgsimServer } = await import('../../serve/server.ts');
      const server = createVgsimServer({
        scenarioDir: o.scenarios, maxBodyBytes: intFlag('--max-body', o.maxBody), maxRequests: intFlag('--max-requests', o.maxRequests),
        log: o.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      await new Promise<void>((resolveListen, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new UsageError(`port ${port} on ${o.host} is in use (try --port 0)`) : e));
        server.listen(port, o.host, () => resolveListen());
      });
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      process.stdout.write(`vgsim serving on http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${actual}/ (API: /api/openapi.json; Ctrl-C stops)\n`);
      await new Promise<void>((done) => {
        const stop = () => server.close(() => done());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
