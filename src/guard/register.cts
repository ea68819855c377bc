// `node --require heapwatch/register app.js` (or NODE_OPTIONS="--require heapwatch/register"): installs the guard.
import { installGuard } from './guard.cjs';

installGuard();
