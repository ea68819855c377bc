// The floor of any redacted copy on a disk: the file copied by the kernel and flushed to the disk (fsync), the way
// redact must finish before its rename.   node bench/durable-copy.js <file> <out-dir>
import fs from 'node:fs';
import path from 'node:path';

const [file, dir] = process.argv.slice(2);
if (!file || !dir) {
  console.error('usage: node bench/durable-copy.js <file> <out-dir>');
  process.exit(2);
}
const out = path.join(dir, `durable-copy-${process.pid}.tmp`);
const started = performance.now();
try {
  fs.copyFileSync(file, out, fs.constants.COPYFILE_EXCL);
  const fd = fs.openSync(out, 'r+');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
} finally {
  fs.rmSync(out, { force: true });
}
