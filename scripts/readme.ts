/** Rewrites the README's generated blocks (src/docs/readme-blocks.ts): npm run readme */
import { writeReadme } from '../src/docs/readme-blocks.ts';

writeReadme();
console.log('README.md: generated blocks rewritten');
