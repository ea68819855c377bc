import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../live/helpers.js';

export const ALLOCATOR = fileURLToPath(new URL('./fixtures/allocator.cjs', import.meta.url));

/** 1-based line of the first line of `file` that contains `text`, and the 1-based column where it is. */
export function lineOf(file: string, text: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${text} not in ${file}`);
  return { line: i + 1, column: lines[i].indexOf(text) + 1 };
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when stderr has matched `pattern`. */
  stderrMatches(pattern: RegExp): Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** The CLI as a child whose stderr the test can wait on (e.g. for the line saying sampling has started). */
export function startCli(args: string[]): RunningCli {
  const child = spawn(process.execPath, [`${ROOT}bin/heapwatch.js`, ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of watchers.splice(0)) {
      if (w.pattern.test(stderr)) w.resolve();
      else watchers.push(w);
    }
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    stderrMatches(pattern) {
      if (pattern.test(stderr)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve });
        void done.then(() => reject(new Error(`CLI ended before ${pattern}; stderr:\n${stderr}`)));
      });
    },
    done,
  };
}
