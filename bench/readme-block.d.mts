/** Types of bench/readme-block.mjs. */
export function replaceReadmeBlock(text: string, name: string, block: string): string;
export function rewriteReadmeBlock(file: string, name: string, block: string): void;
export function machineNote(): string;
export function today(): string;
