'use strict';
// Leak: lodash's memoize on a function called with unique arguments: its cache (a MapCache) grows forever.
// Holder: the memoized function's `cache`.
const _ = require('lodash');
const { snapshotWhenIdle } = require('./finish.cjs');

const quote = _.memoize((request) => ({ request, text: `quote for ${request} `.padEnd(400, '$') }));

for (let id = 0; id < 4000; id++) quote(`cart-${id}-${Date.now()}`);

module.exports = { quote };
snapshotWhenIdle();
