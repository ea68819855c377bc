import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Integration tests run the real CLI (bin/heapwatch.js → dist/), so build once before them.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`], {
    stdio: 'inherit',
  });
}
