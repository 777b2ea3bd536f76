/** Writes scenario.schema.json from the zod schema (npm run schema). Editors use it for autocompletion. */
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from './schema.ts';

writeFileSync('scenario.schema.json', JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
console.error('wrote scenario.schema.json');
