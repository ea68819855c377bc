#!/usr/bin/env node
// Shim: the compiled CLI lives in dist/ (built by `npm run build`, run by `prepare` on install).
import('../dist/cli/main.js').then((m) => m.main(process.argv));
