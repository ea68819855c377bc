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
