// Every process the demo starts, so that each one is stopped on success, failure, Ctrl-C or a crash.
import type { ChildProcess } from 'node:child_process';

interface Tracked {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

const running = new Map<number, Tracked>();
let exitHookInstalled = false;

function alive(t: Tracked): boolean {
  return t.child.exitCode === null && t.child.signalCode === null;
}

/** Last resort when the demo exits while children still run (an exception, process.exit from a handler). */
function killAllNow(): void {
  for (const t of running.values()) {
    if (alive(t)) {
      try {
        t.child.kill('SIGKILL');
      } catch {}
    }
  }
}

/** Registers a child; it is forgotten once it exits. */
export function trackChild(name: string, child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (!exitHookInstalled) {
    process.on('exit', killAllNow);
    exitHookInstalled = true;
  }
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  }).then(() => {
    running.delete(pid);
  });
  running.set(pid, { name, child, exited });
}

/** Names of the children still running. */
export function runningChildren(): string[] {
  return [...running.entries()].filter(([, t]) => alive(t)).map(([pid, t]) => `${t.name} (pid ${pid})`);
}

/** SIGTERM to every child still running, SIGKILL to those left after `graceMs`; resolves when all are gone. */
export async function stopAllChildren(graceMs = 2000): Promise<void> {
  const all = [...running.values()];
  for (const t of all) {
    if (alive(t)) t.child.kill('SIGTERM');
  }
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
  });
  const done = Promise.all(all.map((t) => t.exited));
  if ((await Promise.race([done, grace])) === 'late') {
    for (const t of all) {
      if (alive(t)) t.child.kill('SIGKILL');
    }
    await done;
  }
  clearTimeout(timer);
}
