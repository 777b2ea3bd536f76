// Prints the plain summary line CI looks for: "N passed, N failed".
import { readFileSync, existsSync } from 'node:fs';

// usage: summary.mjs <vitest json> <npm test exit code> [<vgsim check --report json> <check exit code>]
const [file, code, checkFile, checkCode] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (existsSync(file)) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
}
// a failure before the tests ran (type check) counts as one failed check
if (Number(code) !== 0 && failed === 0) failed = 1;
// `vgsim check`: each baseline check is one test; a run that wrote no report (bad input, crash) is one failure
if (checkFile !== undefined) {
  let checkPassed = 0;
  let checkFailed = 0;
  if (existsSync(checkFile)) {
    const c = JSON.parse(readFileSync(checkFile, 'utf8'));
    checkPassed = c.passed ?? 0;
    checkFailed = c.failed ?? 0;
  }
  if (Number(checkCode) !== 0 && checkFailed === 0) checkFailed = 1;
  passed += checkPassed;
  failed += checkFailed;
}
console.log(`${passed} passed, ${failed} failed`);
