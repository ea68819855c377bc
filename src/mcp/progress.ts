import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { LoadProgress } from './analysis-cache.js';

export type CallExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * MCP progress notifications for a call whose client sent a progressToken (none otherwise): progress in whole
 * percent of `total` 100, one notification per percent at most, with the step's name as the message.
 */
export function progressFor(extra: CallExtra, title: string): LoadProgress | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  let last = -1;
  return (fraction, step) => {
    const percent = Math.min(100, Math.max(0, Math.floor(fraction * 100)));
    if (percent <= last) return;
    last = percent;
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: percent, total: 100, message: `${title}: ${step}` },
      })
      .catch(() => {}); // a client that went away is noticed by the transport, not here
  };
}

/**
 * Progress of work whose end is unknown (a dump: V8's walk, then the bytes written): notifications with a rising
 * count and no total, the news in the message; at most one each `everyMs` (a stream calls back per chunk).
 */
export function progressMessages(extra: CallExtra, everyMs = 500): ((message: string) => void) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  let sent = 0;
  let last = Number.NEGATIVE_INFINITY;
  return (message) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    sent++;
    extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: sent, message } })
      .catch(() => {});
  };
}
