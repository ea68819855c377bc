'use strict';
// Shared by the corpus programs: once the program's work is done (servers closed, nothing on the stack), write
// the heap snapshot to the path given on argv and exit.
const v8 = require('node:v8');

function snapshotWhenIdle() {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node <program> <out.heapsnapshot>\n');
    process.exit(2);
  }
  setImmediate(() => {
    v8.writeHeapSnapshot(out);
    process.exit(0);
  });
}

/** Serves `app` on loopback, sends `count` GET requests to `path(i)` one after another, then closes. */
async function serveRequests(app, count, path) {
  const http = require('node:http');
  const server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { port } = server.address();
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: path(i), agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  }
  agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

module.exports = { snapshotWhenIdle, serveRequests };
