export { Simulator, type EventHandle, type RunOptions } from './simulator.ts';
export { MIN_PRIORITY, MAX_PRIORITY } from './event-queue.ts';
export { FifoQueue, PriorityQueue } from './queues.ts';
export { Resource, Store, type ResourceRequest } from './resources.ts';
export { RandomStream, RandomStreams } from './random.ts';
export { MinTree } from './min-tree.ts';
