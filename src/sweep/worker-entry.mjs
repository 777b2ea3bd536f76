// Entry of a sweep worker thread (piscina loads this file). On Node 20, loader hooks registered in the main
// thread (bin/vgsim.js calls tsx's register()) do not reach worker threads, so the worker registers tsx
// itself before importing the TypeScript handler. Registering again where the hooks are already active
// (node --import tsx, vitest) is harmless.
import { register } from 'tsx/esm/api';

register();
const { default: runBatch } = await import('./worker.ts');
export default runBatch;
