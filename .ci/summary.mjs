// Prints the plain summary line CI looks for: "N passed, N failed".
import { readFileSync, existsSync } from 'node:fs';

const [file, code] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (existsSync(file)) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
}
// a failure before the tests ran (type check) counts as one failed check
if (Number(code) !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
