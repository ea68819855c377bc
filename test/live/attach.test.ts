import { afterAll, describe, expect, it } from 'vitest';
import { listeningSockets, processListeningSockets } from '../../src/live/proc.js';
import { startSampler } from '../../src/live/sampler.js';
import { attach } from '../../src/live/session.js';
import { CJS_TARGET, ESM_TARGET, killAll, startTarget, type Target } from './helpers.js';

afterAll(killAll);

/** After detach the target has no heapwatch global/binding left, and its inspector is open only if it was before. */
async function expectLeftClean(target: Target, inspectorWasOpen: boolean): Promise<void> {
  const state = await target.state();
  expect(state.names).toEqual([]);
  expect(state.symbols).toEqual([]);
  if (inspectorWasOpen) expect(state.inspectorUrl).toMatch(/^ws:\/\//);
  else {
    expect(state.inspectorUrl).toBeNull();
    expect(processListeningSockets(target.pid)).toEqual([]);
  }
}

describe('attach by pid', () => {
  it('CJS target without flags: SIGUSR1 opens the default port 9229 (or it is taken), closed again on detach', async () => {
    const target = await startTarget([], CJS_TARGET);
    // 9229 is shared by the whole machine; when someone else holds it, the real outcome is the port-taken refusal
    const owner9229 = listeningSockets('self').find((s) => s.port === 9229);
    if (owner9229) {
      await expect(attach(String(target.pid))).rejects.toMatchObject({ code: 'PORT_TAKEN', exitCode: 1 });
      await expectLeftClean(target, false);
      return;
    }
    const session = await attach(String(target.pid));
    try {
      expect(session.pid).toBe(target.pid);
      expect(session.location.openedByUs).toBe(true);
      expect(session.location.port).toBe(9229);
      const sampler = await startSampler(session);
      const during = await target.state();
      expect(during.names).toEqual([]);
      expect(during.symbols).toEqual(['Symbol(heapwatch.gc-events)']);
      const sample = await sampler.sample();
      expect(sample.pid).toBe(target.pid);
      expect(sample.spaces.map((s) => s.name)).toEqual(expect.arrayContaining(['new_space', 'old_space']));
    } finally {
      await session.detach();
    }
    await expectLeftClean(target, false);
    expect(target.stderr()).toContain('Debugger listening on ws://127.0.0.1:9229/');
  });

  it('ESM target with --inspect-port=0: finds the random port through /proc', async () => {
    const target = await startTarget(['--inspect-port=0'], ESM_TARGET);
    const session = await attach(String(target.pid));
    try {
      expect(session.location.openedByUs).toBe(true);
      expect(session.location.port).not.toBe(9229);
      expect(target.stderr()).toContain(`ws://127.0.0.1:${session.location.port}/`);
      const sampler = await startSampler(session);
      expect((await sampler.sample()).pid).toBe(target.pid);
    } finally {
      await session.detach();
    }
    await expectLeftClean(target, false);
  });

  it('target already listening: uses its inspector, removes what it injected, leaves the inspector open', async () => {
    const target = await startTarget(['--inspect=127.0.0.1:0']);
    const before = (await target.state()).inspectorUrl;
    const session = await attach(String(target.pid));
    try {
      expect(session.location.openedByUs).toBe(false);
      const sampler = await startSampler(session);
      await sampler.sample();
    } finally {
      await session.detach();
    }
    await expectLeftClean(target, true);
    expect((await target.state()).inspectorUrl).toBe(before);
  });

  it('two sessions share the injected observer; the last one out removes it', async () => {
    const target = await startTarget(['--inspect=127.0.0.1:0']);
    const a = await attach(String(target.pid));
    const b = await attach(String(target.pid));
    const sa = await startSampler(a);
    const sb = await startSampler(b);
    await new Promise((r) => setTimeout(r, 300));
    await a.detach();
    const state = await target.state();
    expect(state.names).toEqual([]);
    expect(state.symbols).toEqual(['Symbol(heapwatch.gc-events)']);
    // b keeps receiving GC events after a left
    await sb.sample();
    await new Promise((r) => setTimeout(r, 400));
    expect((await sb.sample()).gcEvents.length).toBeGreaterThan(0);
    await b.detach();
    await expectLeftClean(target, true);
    void sa;
  });

  it('the target sends nothing it was not asked for, and the GC events come with the samples', async () => {
    // Node's inspector crashes the target (SIGSEGV in TcpHolder::WriteRaw) when it writes to a client that has just
    // vanished: a notification per GC gave a SIGKILLed heapwatch that chance at every GC, not only mid-request.
    const target = await startTarget(['--inspect=127.0.0.1:0', '--expose-gc']);
    const session = await attach(String(target.pid));
    const unasked: string[] = [];
    session.client.on('event', (message: { method: string }) => unasked.push(message.method));
    try {
      const sampler = await startSampler(session);
      await sampler.sample();
      expect(await target.ask('gc')).toBe('gc done');
      // the forced GCs' entries reach the observer from the target's next event-loop turns
      const forced = 4; // v8::kGCCallbackFlagForced
      let seen = 0;
      for (let i = 0; i < 50 && seen < 2; i++) {
        seen += (await sampler.sample()).gcEvents.filter((e) => e.flags & forced).length;
      }
      expect(seen).toBe(2);
      expect(unasked).toEqual([]);
    } finally {
      await session.detach();
    }
    await expectLeftClean(target, true);
  });

  it('host:port and ws:// targets attach to the same process', async () => {
    const target = await startTarget(['--inspect=127.0.0.1:0']);
    const url = (await target.state()).inspectorUrl!;
    const port = new URL(url).port;
    for (const spec of [`127.0.0.1:${port}`, `localhost:${port}`, url]) {
      const session = await attach(spec);
      expect(session.pid).toBe(target.pid);
      expect(session.location.openedByUs).toBe(false);
      await session.detach();
    }
    await expectLeftClean(target, true);
  });

  it('refuses an inspector bound beyond loopback, closing it when heapwatch opened it', async () => {
    const open = await startTarget(['--inspect=0.0.0.0:0']);
    await expect(attach(String(open.pid))).rejects.toMatchObject({ code: 'NOT_LOOPBACK', exitCode: 2 });
    expect((await open.state()).inspectorUrl).toMatch(/^ws:\/\/0\.0\.0\.0:/); // not ours: left as it was

    const opened = await startTarget(['--inspect-port=0.0.0.0:0']);
    await expect(attach(String(opened.pid))).rejects.toMatchObject({ code: 'NOT_LOOPBACK' });
    await new Promise((r) => setTimeout(r, 200));
    await expectLeftClean(opened, false);
  });

  it('refuses a non-loopback host:port without connecting', async () => {
    await expect(attach('192.0.2.1:9229')).rejects.toMatchObject({ code: 'NOT_LOOPBACK', exitCode: 2 });
  });
});
