/**
 * `vgsim serve`: a local HTTP server (node:http) with the JSON API (serve/api.ts) and the web UI (web/).
 * Loopback by default. Limits: request bodies up to `maxBodyBytes` (413 beyond), simulated work per call
 * bounded before it runs (400 with the reason), one computation at a time (the simulator is synchronous).
 * Reads nothing outside the package and the scenario folder it was started with (serve/file-policy.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { CATALOG_KINDS, type CatalogKind } from '../api/catalog.ts';
import { libraryFile } from '../scenario/library.ts';
import { scenarioJsonSchema } from '../scenario/schema.ts';
import { filePolicy } from './file-policy.ts';
import { POST_ROUTES, bad, callerPaths, serverHints, getListing, type ApiContext, type ApiReply } from './api.ts';
import { openApiDocument } from './openapi.ts';
import { contentType, readStatic, staticFile } from './static-files.ts';

export interface ServeOptions {
  /** Folder of the user's scenarios (GET /api/scenarios, `extends`); default: the current directory. */
  scenarioDir?: string;
  maxBodyBytes?: number;
  maxRequests?: number;
  /** Called with each request line and status (logging). */
  log?: (line: string) => void;
}

/** Default limits: 1 MiB bodies; 200,000 expected arrivals per call (a few seconds of simulation on 2 cores). */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;
export const DEFAULT_MAX_REQUESTS = 200_000;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // answer 413 now; the rest of the body is read and dropped (destroying the socket would lose the answer)
        reject(new BodyTooLarge(`body larger than ${limit} bytes`));
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(data);
}

/** The request target as a URL whose path decodes, or undefined (an invalid absolute-form target, bad percent-encoding). */
function parseUrl(target: string): URL | undefined {
  try {
    const url = new URL(target, 'http://localhost');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return undefined;
  }
}

const GET_PATHS = new Set(['/api/openapi.json', '/api/scenario.schema.json', '/api/scenario', ...CATALOG_KINDS.map((k) => `/api/${k}`)]);

/** Whether a GET (or HEAD) of this path is served: an API route, a run's file route, or a file of the web UI. */
function isGetRoute(path: string): boolean {
  if (GET_PATHS.has(path) || /^\/api\/runs\/[\w-]+\/.+$/.test(path)) return true;
  return !path.startsWith('/api/') && staticFile(path) !== undefined;
}

const ROUTES_HINT = 'GET /api/openapi.json lists the routes';

function noRoute(path: string): ApiReply {
  const near = [...Object.keys(POST_ROUTES), ...GET_PATHS].find((r) => r === path.toLowerCase().replace(/\/+$/, ''));
  return { status: 404, body: { error: `no route ${path}`, hint: near ? `did you mean ${near}?` : ROUTES_HINT } };
}

function notAllowed(method: string, path: string, allow: string): ApiReply {
  return { status: 405, headers: { allow }, body: { error: `${method} ${path} is not allowed: ${path} takes ${allow.replace(', ', ' or ')}`, hint: ROUTES_HINT } };
}

export function createVgsimServer(opts: ServeOptions = {}): Server {
  const scenarioDir = resolve(opts.scenarioDir ?? '.');
  const ctx: ApiContext = { policy: filePolicy(scenarioDir), scenarioDir, limits: { maxRequests: opts.maxRequests ?? DEFAULT_MAX_REQUESTS }, runs: new Map() };
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let busy: Promise<unknown> = Promise.resolve();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const url = parseUrl(req.url ?? '/');
    if (!url) return reply(res, { status: 400, body: { error: `malformed URL: ${JSON.stringify(req.url)}`, hint: 'percent-encode the path (%XX with two hex digits, UTF-8) and give an origin-form target such as /api/gpus' } });
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';
    if (path in POST_ROUTES && method !== 'POST') return reply(res, notAllowed(method, path, 'POST'));
    if (method === 'POST' && path in POST_ROUTES) {
      let body: unknown;
      try {
        const text = await readBody(req, maxBody);
        body = text.trim() === '' ? {} : JSON.parse(text);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          res.setHeader('connection', 'close');
          return reply(res, { status: 413, body: { error: e.message } });
        }
        return reply(res, bad([{ source: 'request', path: '', message: `the body is not JSON: ${(e as Error).message}` }]));
      }
      // one computation at a time: the simulator runs synchronously on this thread
      const run = busy.then(() => POST_ROUTES[path]!(ctx, body));
      busy = run.catch(() => undefined);
      try {
        return reply(res, await run);
      } catch (e) {
        if (e instanceof InputError) return reply(res, bad(callerPaths(serverHints(e.issues), scenarioDir)));
        if (e instanceof Error && e.name === 'UnknownIdError') return reply(res, bad([{ source: 'request', path: '', message: e.message }]));
        return reply(res, { status: 500, body: { error: e instanceof Error ? e.message : String(e) } });
      }
    }
    // another method on a GET route answers 405 (with Allow); on anything else, 404: it is not a route at all
    if (!isGet) return reply(res, isGetRoute(path) ? notAllowed(method, path, 'GET, HEAD') : noRoute(path));
    if (path === '/api/openapi.json') return reply(res, { status: 200, body: openApiDocument() });
    if (path === '/api/scenario.schema.json') return reply(res, { status: 200, body: scenarioJsonSchema() });
    const kind = path.startsWith('/api/') ? path.slice(5) : '';
    if ((CATALOG_KINDS as readonly string[]).includes(kind)) return reply(res, getListing(ctx, kind as CatalogKind));
    if (path === '/api/scenario') {
      const id = url.searchParams.get('file');
      if (id === null || id === '') return reply(res, bad([{ source: 'request', path: 'file', message: 'missing query parameter file', hint: 'GET /api/scenario?file=default.yaml; GET /api/scenarios lists the ids' }]));
      const file = id.startsWith('user:') ? resolve(scenarioDir, id.slice(5)) : libraryFile(id);
      const why = file === undefined ? 'no such scenario' : ctx.policy.readable(file);
      if (file === undefined || why) return reply(res, bad([{ source: 'request', path: 'file', message: `"${id}": ${why ?? 'no such scenario'}` }]));
      try {
        send(res, 200, readFileSync(file, 'utf8'), 'text/yaml; charset=utf-8');
        return 200;
      } catch {
        return reply(res, { status: 404, body: { error: `"${id}": not found` } });
      }
    }
    const runFile = /^\/api\/runs\/([\w-]+)\/(.+)$/.exec(path);
    if (runFile) {
      const run = ctx.runs.get(runFile[1]!);
      const name = decodeURIComponent(runFile[2]!);
      if (!run || !run.files.includes(name)) return reply(res, { status: 404, body: { error: 'unknown run or file' } });
      res.writeHead(200, { 'content-type': contentType(name), 'content-disposition': `attachment; filename="${name.split('/').pop()}"` });
      res.end(readFileSync(join(run.dir, name)));
      return 200;
    }
    if (path.startsWith('/api/')) return reply(res, noRoute(path));
    const file = staticFile(path);
    if (!file) return reply(res, { status: 404, body: { error: `not found: ${path}` } });
    send(res, 200, readStatic(file), contentType(file));
    return 200;
  };

  const reply = (res: ServerResponse, r: ApiReply): number => {
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
    send(res, r.status, r.body);
    return r.status;
  };

  return createServer((req, res) => {
    const t0 = performance.now();
    handle(req, res).then(
      (status) => opts.log?.(`${req.method} ${req.url} ${status} ${(performance.now() - t0).toFixed(0)} ms`),
      (e) => {
        if (!res.headersSent) send(res, 500, { error: String(e) });
      },
    );
  });
}
