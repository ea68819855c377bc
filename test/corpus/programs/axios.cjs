'use strict';
// Leak: an axios request interceptor registered per request on a shared client and never ejected; each
// interceptor keeps its request's data. Holder: the interceptor manager's `handlers`.
const axios = require('axios');
const { snapshotWhenIdle } = require('./finish.cjs');

const api = axios.create({ baseURL: 'http://127.0.0.1:9' });

function prepare(id) {
  const user = { id, token: `token-${id}-`.padEnd(300, 'k') };
  api.interceptors.request.use((config) => {
    config.headers.authorization = user.token;
    return config;
  });
}

for (let id = 0; id < 3000; id++) prepare(id);

module.exports = { api };
snapshotWhenIdle();
