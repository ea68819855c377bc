'use strict';
// Leak: every request subscribes to a shared Subject and never unsubscribes; each subscriber keeps its request.
// Holder: the subject's `observers`.
const { Subject } = require('rxjs');
const { snapshotWhenIdle } = require('./finish.cjs');

const priceUpdates = new Subject();

function handle(id) {
  const request = { id, body: `request ${id} `.padEnd(400, '-') };
  priceUpdates.subscribe((price) => {
    request.lastPrice = price;
  });
}

for (let id = 0; id < 3000; id++) handle(id);

module.exports = { priceUpdates };
snapshotWhenIdle();
