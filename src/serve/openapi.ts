/** The OpenAPI 3.1 document of `vgsim serve` (GET /api/openapi.json), with request schemas generated from the zod schemas that validate them. */
import { z } from 'zod';
import { VERSION } from '../package-files.ts';
import { EstimateRequestSchema } from '../api/estimate.ts';
import { PlanRequestSchema } from '../api/plan.ts';
import { CapacityRequestSchema, RunRequestSchema, ValidateRequestSchema } from './api.ts';
import { CATALOG_KINDS } from '../api/catalog.ts';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

const ISSUES = {
  description: 'invalid input: every problem, as the CLI reports it (field path, what was expected, a suggestion)',
  content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' }, issues: { type: 'array', items: { type: 'object', properties: { source: { type: 'string' }, line: { type: 'integer' }, col: { type: 'integer' }, path: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } }, required: ['source', 'path', 'message'] } } } } } },
};

function post(summary: string, body: z.ZodType, ok: string) {
  return {
    post: {
      summary,
      requestBody: { required: true, content: { 'application/json': { schema: schema(body) } } },
      responses: { 200: { description: ok, content: { 'application/json': { schema: {} } } }, 400: ISSUES, 413: { description: 'body larger than the limit' } },
    },
  };
}

export function openApiDocument(): object {
  const paths: Record<string, object> = {
    '/api/estimate': post('time, memory and energy of one request (= vgsim estimate --json)', EstimateRequestSchema, 'the estimate'),
    '/api/plan': post('every parallel layout on a GPU budget, ranked (= vgsim plan --json); deploy: launch commands and a Kubernetes manifest', PlanRequestSchema, 'ranked layouts (+ deploy artifacts)'),
    '/api/run': post('simulate a scenario (= vgsim run --json): summary, interactive chart specs, and with out: true the --out files for download', RunRequestSchema, 'name, summary, traffic (what the run was asked to serve, by part: duration, arrivals, curve, request mix), charts, files'),
    '/api/capacity': post('highest arrival rate within the objectives (= vgsim capacity --json)', CapacityRequestSchema, 'capacity result'),
    '/api/validate': post('check a scenario; 200 with valid and the issues (file-free: source "request")', ValidateRequestSchema, '{valid, issues}'),
    '/api/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/api/scenario': { get: { summary: 'the YAML text of a scenario by id', parameters: [{ name: 'file', in: 'query', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'YAML text' }, 400: ISSUES } } },
    '/api/scenario.schema.json': { get: { summary: 'the scenario JSON Schema (editors, the web UI)', responses: { 200: { description: 'JSON Schema 2020-12' } } } },
    '/api/runs/{id}/{file}': { get: { summary: 'a file a run with out: true wrote', responses: { 200: { description: 'the file' }, 404: { description: 'unknown run or file' } } } },
  };
  for (const kind of CATALOG_KINDS) paths[`/api/${kind}`] = { get: { summary: `what vgsim knows: ${kind} (= vgsim list ${kind} --json)`, responses: { 200: { description: kind } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'vgsim', version: VERSION, description: 'Local JSON API of vgsim serve (loopback by default). Bodies are JSON; simulated work per call is bounded (--max-requests).' },
    paths,
  };
}
