'use strict';
// Leak: a pino child logger per request, cached in a Map "to reuse it" and never deleted; each child keeps its
// bindings. Holder: the program's `childLoggers` Map.
const pino = require('pino');
const { snapshotWhenIdle } = require('./finish.cjs');

const logger = pino({ level: 'silent' });
const childLoggers = new Map();

function loggerFor(requestId) {
  let child = childLoggers.get(requestId);
  if (!child) {
    child = logger.child({ requestId, trace: `trace-${requestId}-`.padEnd(300, 't') });
    childLoggers.set(requestId, child);
  }
  return child;
}

for (let id = 0; id < 3000; id++) loggerFor(`req-${id}`).info('handled');

module.exports = { loggerFor };
snapshotWhenIdle();
