'use strict';
// Leak: a route adds a listener to the express app (an EventEmitter) on every request, to be told of a
// shutdown, and never removes it; each listener keeps its response data. Holder: the app's `_events`.
const express = require('express');
const { snapshotWhenIdle, serveRequests } = require('./finish.cjs');

const app = express();
app.setMaxListeners(0);
app.get('/report/:id', (req, res) => {
  const report = { id: req.params.id, rows: new Array(300).fill(Number(req.params.id)) };
  app.on('shutdown', () => report.rows.length);
  res.end('ok');
});

serveRequests(app, 1500, (i) => `/report/${i}`).then(snapshotWhenIdle);
