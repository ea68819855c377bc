import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Integration tests run the real CLI (bin/heapwatch.js → dist/), so build once before them.
// Type errors do not stop the emit; `npm run build` (run by `npm ci` through prepare) is what fails on them.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`], {
    stdio: 'inherit',
  });
}
