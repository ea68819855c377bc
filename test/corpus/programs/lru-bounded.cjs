'use strict';
// No leak: a busy express server with a bounded lru-cache (500 entries) in front of its renderer.
const express = require('express');
const { LRUCache } = require('lru-cache');
const { snapshotWhenIdle, serveRequests } = require('./finish.cjs');

const pages = new LRUCache({ max: 500 });
const app = express();
app.get('/product/:id', (req, res) => {
  let page = pages.get(req.params.id);
  if (!page) {
    page = `<html>${req.params.id}</html>`.padEnd(800, ' ');
    pages.set(req.params.id, page);
  }
  res.end(page);
});

serveRequests(app, 3000, (i) => `/product/${i}`).then(snapshotWhenIdle);
