'use strict';
// Leak: express-session's default MemoryStore in production: every visitor without a cookie gets a session
// that is never pruned (the store has no expiry sweep). Holder: the store's `sessions`.
const express = require('express');
const session = require('express-session');
const { snapshotWhenIdle, serveRequests } = require('./finish.cjs');

const app = express();
app.use(session({ secret: 'corpus', resave: false, saveUninitialized: true, cookie: { maxAge: 86_400_000 } }));
app.get('/cart/:id', (req, res) => {
  req.session.cart = {
    id: req.params.id,
    items: Array.from({ length: 20 }, (_, i) => `item-${i}-${req.params.id}-`.padEnd(60, 'i')),
  };
  res.end('ok');
});

serveRequests(app, 2000, (i) => `/cart/${i}`).then(snapshotWhenIdle);
