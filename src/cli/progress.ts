/** Progress on stderr, only when stderr is a TTY (never mixed into --json stdout or logs). */
export interface Progress {
  update(fraction: number, label?: string): void;
  done(): void;
}

export function createProgress(title: string, enabled = Boolean(process.stderr.isTTY)): Progress {
  let last = -1;
  let lastTime = 0;
  return {
    update(fraction, label) {
      if (!enabled) return;
      const pct = Math.floor(fraction * 100);
      const now = Date.now();
      if (pct === last || now - lastTime < 100) return;
      last = pct;
      lastTime = now;
      process.stderr.write(`\r${title}: ${pct}%${label ? ` ${label}` : ''}\x1b[K`);
    },
    done() {
      if (enabled && last >= 0) process.stderr.write('\r\x1b[K');
    },
  };
}
