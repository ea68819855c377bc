'use strict';
// Leak: lru-cache used with a "max" far above what the process can hold, keyed by something unique per request:
// it never evicts. Holder: the cache (its key map and value list).
const { LRUCache } = require('lru-cache');
const { snapshotWhenIdle } = require('./finish.cjs');

const renderCache = new LRUCache({ max: 200_000 });

function render(id) {
  const key = `/product/${id}?session=${Math.random().toString(36).slice(2)}`;
  renderCache.set(key, `<html>${id}</html>`.padEnd(600, ' '));
}

for (let id = 0; id < 4000; id++) render(id);

module.exports = { renderCache };
snapshotWhenIdle();
