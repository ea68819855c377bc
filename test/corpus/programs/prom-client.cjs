'use strict';
// Leak: a Prometheus counter labelled by user id: one time series per user, kept by the metric for good
// (unbounded label cardinality). Holder: the counter's `hashMap`.
const client = require('prom-client');
const { snapshotWhenIdle } = require('./finish.cjs');

const requests = new client.Counter({ name: 'http_requests_total', help: 'requests', labelNames: ['route', 'user'] });

for (let user = 0; user < 6000; user++) requests.inc({ route: '/orders', user: `user-${user}-${'u'.repeat(24)}` });

module.exports = { requests };
snapshotWhenIdle();
