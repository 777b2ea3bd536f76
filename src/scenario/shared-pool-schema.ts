/** A shared pool's `models:` (serving/model-swap.ts): the models every replica of the pool serves. */
import { z } from 'zod';

export const SharedModelsSchema = z
  .array(z.union([z.string(), z.strictObject({ model: z.string(), parallel: z.string().describe('this model\'s plan on the replica (same GPU count as the pool\'s)') })]))
  .min(2)
  .describe('a shared pool: every replica serves these models (ids, or {model, parallel} when a model runs another plan on the same GPUs), keeping all on the GPU when they fit together and otherwise one at a time, swapped in from host memory when a request of another model starts (instead of model)');
