/** Entry of the `vgsim` executable (bundled as dist/cli.js; bin/vgsim.js loads it). */
import { main } from './main.ts';

process.exitCode = await main(process.argv);
