'use strict';
// Leak: one DataLoader for the whole process instead of one per request: its memoization cache keeps every
// row ever loaded. Holder: the loader's `_cacheMap`.
const DataLoader = require('dataloader');
const { snapshotWhenIdle } = require('./finish.cjs');

const users = new DataLoader(async (ids) => ids.map((id) => ({ id, profile: `profile ${id} `.padEnd(400, '=') })));

async function main() {
  for (let id = 0; id < 3000; id += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, k) => users.load(id + k)));
  }
}

module.exports = { users };
main().then(snapshotWhenIdle);
