'use strict';
// Leak: a winston logger per request, added to the default container and never closed. Holder: the
// container's `loggers` Map.
const winston = require('winston');
const { snapshotWhenIdle } = require('./finish.cjs');

function handle(id) {
  const log = winston.loggers.add(`request-${id}`, {
    level: 'info',
    defaultMeta: { requestId: `req-${id}` },
    transports: [new winston.transports.Console({ silent: true })],
  });
  log.info('handled');
}

for (let id = 0; id < 300; id++) handle(id);

snapshotWhenIdle();
