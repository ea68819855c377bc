// `node --require heapwatch/register app.js` (or NODE_OPTIONS="--require heapwatch/register"): installs the guard.
import { installGuard } from './guard.cjs';

try {
  installGuard();
} catch (err) {
  // never stop the app from starting because of the guard
  process.stderr.write(`heapwatch: guard off: ${(err as Error).message}\n`);
}
