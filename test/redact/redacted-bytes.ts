// The bytes redactFile writes for a file, through a scratch output in the test's folder (removed again).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RedactOptions, redactFile } from '../../src/redact/redact-file.js';

let outputs = 0;

export async function redactedBytes(dir: string, file: string, opts: RedactOptions = {}): Promise<Buffer> {
  const out = join(dir, `out-${outputs++}.heapsnapshot`);
  await redactFile(file, out, opts);
  const bytes = readFileSync(out);
  rmSync(out);
  return bytes;
}
