'use strict';
// Leak: node-cache with stdTTL 0 (never expires) caching per-request results. Holder: the cache's `data`.
const NodeCache = require('node-cache');
const { snapshotWhenIdle } = require('./finish.cjs');

const responses = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false });

for (let id = 0; id < 4000; id++) responses.set(`GET /search?q=${id}`, { id, html: `results ${id} `.padEnd(400, '.') });

module.exports = { responses };
snapshotWhenIdle();
