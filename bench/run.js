// npm run bench: heapwatch `analyze` side by side with Chrome DevTools' heap snapshot worker and memlab on the same
// generated snapshots, each tool as its own process (wall time, peak RSS), then heapwatch's numbers checked against
// DevTools', then the live benches (bench/live-*.js). Prints a table with the ratios and the targets.
//   npm run bench -- [--sizes 50m,280m,660m] [--skip-peers] [--only heapwatch,devtools,memlab] [--no-check]
//                    [--no-live] [--no-build] [--write-results]
// HEAPWATCH_BENCH_CLI=<dir>/bin/heapwatch.js measures another build (its live benches too), HEAPWATCH_BENCH_REV names it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compare, oracleAnswer } from './check.js';
import { benchDir, ensureSnapshot, SIZES } from './generate.js';
import { lastJson, measure } from './measure.js';
import { ensureDevtoolsOracle, ensureMemlab, repoRoot } from './peers.js';

const TARGET_TIME = 0.15;
const TARGET_MEMORY = 0.45;
const TOOLS = ['heapwatch', 'devtools', 'memlab'];
// HEAPWATCH_BENCH_CLI measures another build (e.g. a clean export of HEAD) instead of this working tree's
const CLI = process.env.HEAPWATCH_BENCH_CLI
  ? path.resolve(process.env.HEAPWATCH_BENCH_CLI)
  : path.join(repoRoot, 'bin', 'heapwatch.js');
const heapwatchRoot = path.resolve(CLI, '..', '..');

/** Which heapwatch was measured: HEAPWATCH_BENCH_REV, else this repo's commit and whether src/ had changes. */
function heapwatchRevision() {
  if (process.env.HEAPWATCH_BENCH_REV) return process.env.HEAPWATCH_BENCH_REV;
  const git = (...a) => spawnSync('git', ['-C', repoRoot, ...a], { encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git('status', '--porcelain', '--', 'src').length > 0;
  return `commit ${git('rev-parse', '--short', 'HEAD') || '?'}${dirty ? ' + uncommitted changes in src/' : ''}`;
}

function usage(code) {
  console.log(`usage: npm run bench -- [options]
  --sizes 50m,280m,660m   snapshots to run on (${Object.keys(SIZES).join(', ')}; 2g needs ~9 GB of RAM)
  --only TOOLS            comma list of ${TOOLS.join(', ')}
  --skip-peers            heapwatch only
  --no-check              skip the correctness check against DevTools
  --no-live               skip bench/live-*.js
  --no-build              do not compile src/ first
  --share-rounds N        pairs of full and --no-suspects analyze runs for the suspects' share (default 3)
  --no-warmup             measure heapwatch analyze's first run too (default: one run first, not measured)
  --write-results         write the report to bench/RESULTS.md
Snapshots and peers are cached in ${benchDir()} (HEAPWATCH_BENCH_DIR).`);
  process.exit(code);
}

function parseArgs(argv) {
  const args = { sizes: ['50m', '280m', '660m'], tools: new Set(TOOLS), check: true, live: true, build: true };
  args.writeResults = false;
  args.shareRounds = 3;
  args.warmup = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(2);
      return String(argv[++i]);
    };
    if (a === '--sizes' || a === '--size') args.sizes = value().split(',').filter(Boolean);
    else if (a === '--only') args.tools = new Set(value().split(',').filter(Boolean));
    else if (a === '--skip-peers') args.tools = new Set(['heapwatch']);
    else if (a === '--no-check') args.check = false;
    else if (a === '--no-live') args.live = false;
    else if (a === '--no-build') args.build = false;
    else if (a === '--write-results') args.writeResults = true;
    else if (a === '--no-warmup') args.warmup = false;
    else if (a === '--share-rounds') args.shareRounds = Math.max(1, Number.parseInt(value(), 10) || 1);
    else if (a === '--help' || a === '-h') usage(0);
    else {
      console.error(`bench: unknown argument ${a}`);
      usage(2);
    }
  }
  const badSize = args.sizes.find((s) => !SIZES[s]);
  const badTool = [...args.tools].find((t) => !TOOLS.includes(t));
  if (badSize || badTool) {
    console.error(`bench: unknown ${badSize ? `size ${badSize}` : `tool ${badTool}`}`);
    usage(2);
  }
  return args;
}

const log = (msg) => console.error(`[bench] ${msg}`);
const GiB = 1024 ** 3;
const fmtRun = (r) =>
  r?.ok ? `${r.seconds.toFixed(1)} s / ${(r.peakRssBytes / GiB).toFixed(2)} GiB` : (r?.note ?? '—');
const fmtRatio = (a, b, key, target) => {
  if (!a?.ok || !b?.ok || !b[key]) return '—';
  const ratio = a[key] / b[key];
  return `${ratio.toFixed(2)}×${target ? (ratio <= target ? ' ✓' : ' ✗') : ''}`;
};

// a big file needs more V8 heap than Node's default (~4 GiB) in the peers, which hold it all on the JS heap
const peerFlags = (bytes) => (bytes > 1.2e9 ? ['--max-old-space-size=14336'] : []);

/** The help text of a heapwatch command, or null when the built CLI does not have it (yet). */
function cliAvailable(command) {
  const top = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  if (top.status !== 0 || !new RegExp(`^\\s+${command}\\b`, 'm').test(top.stdout)) return null;
  const help = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
  return help.status === 0 ? help.stdout : null;
}

async function runTool(label, command, args, { env, parse }) {
  log(`${label} …`);
  const r = await measure(command, args, { env });
  if (r.exitCode !== 0) {
    const why = r.timedOut ? 'timed out' : `exit ${r.exitCode ?? r.signal}`;
    log(`${label} failed (${why}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return {
      ok: false,
      label,
      note: `failed (${why})`,
      error: r.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400),
      seconds: r.seconds,
      cpuSeconds: r.cpuSeconds,
      peakRssBytes: r.peakRssBytes,
    };
  }
  let output = null;
  try {
    output = parse(r.stdout);
  } catch (e) {
    log(`${label}: unreadable output (${e.message})`);
  }
  const cpu = r.cpuSeconds === null ? '' : ` (CPU ${r.cpuSeconds.toFixed(1)} s)`;
  log(`${label}: ${r.seconds.toFixed(1)} s${cpu}, peak RSS ${(r.peakRssBytes / GiB).toFixed(2)} GiB`);
  return { ok: true, seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssBytes: r.peakRssBytes, output };
}

/** Whether `dir` is a tmpfs with `bytes` free (statfs's type: TMPFS_MAGIC). */
function tmpfsRoom(dir, bytes) {
  try {
    const st = fs.statfsSync(dir);
    return st.type === 0x01021994 && st.bavail * st.bsize >= bytes;
  } catch {
    return false;
  }
}

// the cold runs analyse the file each time: an index left in the user's cache by an earlier run would answer instead
const noIndex = (help) => (help?.includes('--no-index') ? ['--no-index'] : []);

/**
 * The saved analysis (index): `analyze` writing it into a fresh cache folder, then reopening it to answer `node` for
 * 100 ids and `analyze --top 50`, and the index's size (targets: node 100 ids < 1 s at 660 MB, index ≤ 1× the file).
 */
async function benchIndex(snap) {
  const dir = fs.mkdtempSync(path.join(benchDir(), 'index-'));
  try {
    const at = ['--index-dir', dir];
    const write = await runTool(
      'heapwatch analyze --top 100 (writes the index)',
      process.execPath,
      [CLI, 'analyze', snap.file, '--top', '100', '--json', ...at],
      {
        parse: (text) => JSON.parse(text).dominators.map((d) => String(d.id)),
      },
    );
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.hwindex'));
    if (!write.ok || files.length !== 1) return { write, note: 'no index written' };
    const bytes = fs.statSync(path.join(dir, files[0])).size;
    const ids = write.output;
    const node = await runTool(
      `heapwatch node (${ids.length} ids, reopened)`,
      process.execPath,
      [CLI, 'node', snap.file, ...ids, '--json', ...at],
      { parse: () => null },
    );
    const top50 = await runTool(
      'heapwatch analyze --top 50 (reopened)',
      process.execPath,
      [CLI, 'analyze', snap.file, '--top', '50', '--json', ...at],
      { parse: () => null },
    );
    return { write: { ...write, output: undefined }, ids: ids.length, bytes, node, top50 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** heapwatch's answers for `ids` through `heapwatch node --json`, by id; null when the command is not there. */
async function heapwatchNodes(file, ids) {
  if (!cliAvailable('node')) return null;
  const byId = new Map();
  for (let i = 0; i < ids.length; i += 400) {
    const r = await measure(process.execPath, [CLI, 'node', file, ...ids.slice(i, i + 400).map(String), '--json']);
    if (r.exitCode !== 0) throw new Error(`heapwatch node failed (exit ${r.exitCode}): ${r.stderr.trim().slice(-300)}`);
    for (const n of JSON.parse(r.stdout).nodes ?? []) byId.set(n.id, n);
  }
  return byId;
}

async function benchSize(size, args, peers) {
  const snap = ensureSnapshot(size, { log });
  log(`${size}: ${snap.file} (${(snap.bytes / 1e6).toFixed(0)} MB, ${snap.nodeCount} nodes, ${snap.edgeCount} edges)`);
  const row = { size, bytes: snap.bytes, nodeCount: snap.nodeCount, edgeCount: snap.edgeCount, tools: {} };

  if (args.tools.has('heapwatch')) {
    const help = cliAvailable('analyze');
    if (help === null) row.tools.heapwatch = { ok: false, note: 'not available' };
    else {
      row.fullArgv = [CLI, 'analyze', snap.file, '--json', ...noIndex(help)];
      // one run first, not measured (hyperfine's --warmup): a bench's first analyze ran 10-40% slower than the ones
      // after it (5.4 s against 3.8-4.9 s in three benches on 2026-12-02), and only the first pair below paid that
      if (args.warmup)
        await runTool('heapwatch analyze (warm-up, not measured)', process.execPath, row.fullArgv, {
          parse: () => null,
        });
      row.tools.heapwatch = await runTool('heapwatch analyze', process.execPath, row.fullArgv, {
        parse: (text) => JSON.parse(text),
      });
      // The cost of the leak-suspect work (suspects, paths, duplicate strings): against `analyze` with a flag that
      // leaves it out, or else against `histo`, the same parse + dominators + retained sizes + histogram without it.
      const out = row.tools.heapwatch.output;
      const skip = ['--no-suspects', '--fast'].find((flag) => help.includes(flag));
      const hasLeakWork = out && ('suspects' in out || 'duplicateStrings' in out);
      if (row.tools.heapwatch.ok && (skip || (hasLeakWork && cliAvailable('histo') !== null))) {
        const argv = skip
          ? [CLI, 'analyze', snap.file, skip, '--json', ...noIndex(help)]
          : [CLI, 'histo', snap.file, '--json', ...noIndex(cliAvailable('histo'))];
        row.bareLabel = skip ? `analyze ${skip}` : 'histo';
        row.tools.heapwatchBare = await runTool(`heapwatch ${row.bareLabel}`, process.execPath, argv, {
          parse: () => null,
        });
        // one pair of runs is at the mercy of this host's minute-to-minute speed: more pairs, each run alternating
        // with its partner, the order turned round every other pair (full first, then the bare run first), and the
        // share taken from each pair
        row.sharePairs = [[row.tools.heapwatch, row.tools.heapwatchBare]];
        const runFull = () => runTool('heapwatch analyze', process.execPath, row.fullArgv, { parse: () => null });
        const runBase = () => runTool(`heapwatch ${row.bareLabel}`, process.execPath, argv, { parse: () => null });
        for (let k = 1; k < args.shareRounds && row.tools.heapwatchBare.ok; k++) {
          const baseFirst = k % 2 === 1;
          const first = await (baseFirst ? runBase() : runFull());
          const second = await (baseFirst ? runFull() : runBase());
          const [full, base] = baseFirst ? [second, first] : [first, second];
          if (full.ok && base.ok) row.sharePairs.push([full, base]);
        }
      }
    }
  }
  if (args.tools.has('heapwatch') && row.tools.heapwatch?.ok && cliAvailable('analyze')?.includes('--index-dir')) {
    row.index = await benchIndex(snap);
  }
  if (args.tools.has('heapwatch') && cliAvailable('redact') !== null) {
    // redact streams the file to a copy (its target: no slower than analyze's read), on the bench's disk and, where
    // there is one with room, on a tmpfs (no disk to wait for); beside it the reader alone and the disk's floor
    const redactTo = async (parent, label) => {
      const outDir = fs.mkdtempSync(path.join(parent, 'heapwatch-redact-'));
      try {
        return await runTool(
          label,
          process.execPath,
          [CLI, 'redact', snap.file, path.join(outDir, 'redacted.heapsnapshot'), '--json'],
          { parse: (text) => JSON.parse(text) },
        );
      } finally {
        fs.rmSync(outDir, { recursive: true, force: true });
      }
    };
    row.tools.heapwatchRedact = await redactTo(benchDir(), 'heapwatch redact');
    if (tmpfsRoom('/dev/shm', 2 * snap.bytes)) {
      row.tools.heapwatchRedactTmpfs = await redactTo('/dev/shm', 'heapwatch redact to /dev/shm');
    }
    const script = (name) => path.join(repoRoot, 'bench', name);
    row.tools.readOnly = await runTool('reader alone', process.execPath, [script('read-only.js'), snap.file], {
      parse: lastJson,
    });
    row.tools.durableCopy = await runTool(
      'durable copy',
      process.execPath,
      [script('durable-copy.js'), snap.file, benchDir()],
      { parse: lastJson },
    );
  }
  if (args.tools.has('devtools')) {
    row.tools.devtools = peers.oracle
      ? await runTool('DevTools worker', process.execPath, [...peerFlags(snap.bytes), peers.oracle, snap.file], {
          parse: lastJson,
        })
      : { ok: false, note: 'not available' };
  }
  if (args.tools.has('memlab')) {
    const script = path.join(repoRoot, 'bench', 'memlab-analyze.js');
    row.tools.memlab = peers.memlab
      ? await runTool('memlab', process.execPath, [...peerFlags(snap.bytes), script, peers.memlab, snap.file], {
          parse: lastJson,
        })
      : { ok: false, note: 'not available' };
  }

  const hw = row.tools.heapwatch;
  if (args.check && hw?.ok && hw.output && peers.oracle) {
    log('correctness: DevTools oracle (cached per file) and heapwatch node …');
    try {
      const ids = (hw.output.dominators ?? []).map((d) => d.id);
      const oracle = await oracleAnswer(peers.oracle, snap.file, ids, peerFlags(snap.bytes));
      const wanted = [...new Set([...oracle.topLevelDominators, ...oracle.sample].map((o) => o.id))];
      const nodes = await heapwatchNodes(snap.file, wanted);
      row.check = compare({ analysis: hw.output, nodes, oracle });
      log(`correctness: ${row.check.mismatches} mismatches of ${row.check.checked} checked`);
    } catch (e) {
      row.check = { checked: 0, mismatches: null, details: [], notes: [`check failed: ${e.message}`] };
      log(row.check.notes[0]);
    }
  }
  return row;
}

async function runLiveBenches() {
  const files = fs
    .readdirSync(path.join(heapwatchRoot, 'bench'))
    .filter((f) => /^live-.*\.(js|mjs)$/.test(f))
    .sort();
  const results = [];
  for (const f of files) {
    log(`live bench ${f} …`);
    const r = await measure(process.execPath, [path.join(heapwatchRoot, 'bench', f)], { timeoutSeconds: 900 });
    const ok = r.exitCode === 0;
    if (!ok) log(`${f} failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    results.push({
      file: f,
      ok,
      seconds: r.seconds,
      output: r.stdout.trim(),
      error: ok ? '' : r.stderr.trim().slice(-800),
    });
  }
  return results;
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / GiB).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`;
}

function report(rows, live, args) {
  const out = [];
  out.push(`- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} · Node ${process.version} · ${machine()}`);
  out.push(`- heapwatch: ${heapwatchRevision()}.`);
  out.push(
    `- Load average (1 min) at start ${args.loadAtStart.toFixed(1)}, at end ${os.loadavg()[0].toFixed(1)}: the machine is shared.`,
  );
  out.push('');
  out.push(`Each tool runs alone as its own process on the same file; wall time / peak RSS (VmHWM). Targets for`);
  out.push(`heapwatch/DevTools: time ≤ ${TARGET_TIME}×, memory ≤ ${TARGET_MEMORY}×.`);
  out.push('');
  out.push(
    '| snapshot | nodes | edges | heapwatch analyze | DevTools worker | memlab | hw/DevTools time | hw/DevTools memory | hw/memlab time | hw/memlab memory |',
  );
  out.push('|---|---:|---:|---|---|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const { heapwatch: hw, devtools: dt, memlab: ml } = r.tools;
    const ratio = fmtRatio;
    out.push(
      `| ${(r.bytes / 1e6).toFixed(0)} MB (${r.size}) | ${(r.nodeCount / 1e6).toFixed(2)} M | ${(r.edgeCount / 1e6).toFixed(2)} M | ${fmtRun(hw)} | ${fmtRun(dt)} | ${fmtRun(ml)} | ${ratio(hw, dt, 'seconds', TARGET_TIME)} | ${ratio(hw, dt, 'peakRssBytes', TARGET_MEMORY)} | ${ratio(hw, ml, 'seconds')} | ${ratio(hw, ml, 'peakRssBytes')} |`,
    );
  }
  if (rows.some((r) => Object.values(r.tools).some((t) => t.cpuSeconds))) {
    // CPU time moves less than wall time when other work shares the machine
    const cpu = (t) => (t?.ok && t.cpuSeconds ? `${t.cpuSeconds.toFixed(1)} s` : '—');
    out.push('');
    out.push('CPU time (user + system, all threads):');
    out.push('');
    out.push('| snapshot | heapwatch analyze | DevTools worker | memlab | hw/DevTools | hw/memlab |');
    out.push('|---|---|---|---|---:|---:|');
    for (const r of rows) {
      const { heapwatch: hw, devtools: dt, memlab: ml } = r.tools;
      out.push(
        `| ${r.size} | ${cpu(hw)} | ${cpu(dt)} | ${cpu(ml)} | ${fmtRatio(hw, dt, 'cpuSeconds')} | ${fmtRatio(hw, ml, 'cpuSeconds')} |`,
      );
    }
  }
  const failures = rows.flatMap((r) =>
    Object.values(r.tools)
      .filter((t) => t.error)
      .map((t) => [r.size, t]),
  );
  if (failures.length) {
    out.push('');
    out.push('Failures:');
    for (const [size, t] of failures) out.push(`- ${size}: ${t.label} ${t.note}: ${t.error}`);
  }
  const bare = rows.filter((r) => r.tools.heapwatchBare?.ok && r.tools.heapwatch?.ok);
  if (bare.length) {
    out.push('');
    out.push(
      `Cost of suspects, paths, duplicate strings and waste in \`analyze\` (target ≤ 20%), the median of alternating pairs of runs (every other pair the bare run first${args.warmup ? '; after one run not measured' : ''}):`,
    );
    const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
    const median = (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    };
    const share = (pairs, key) => {
      const xs = pairs.filter(([f, b]) => f[key] && b[key]).map(([f, b]) => f[key] / b[key] - 1);
      if (xs.length === 0) return '';
      const range = xs.length > 1 ? ` (pairs: ${xs.map(pct).join(', ')})` : '';
      return `${pct(median(xs))}${range}`;
    };
    for (const r of bare) {
      const pairs = r.sharePairs ?? [[r.tools.heapwatch, r.tools.heapwatchBare]];
      const secs = (i) => pairs.map((p) => p[i].seconds.toFixed(1)).join('/');
      const cpu = share(pairs, 'cpuSeconds');
      out.push(
        `- ${r.size}: analyze ${secs(0)} s vs \`${r.bareLabel}\` ${secs(1)} s → wall ${share(pairs, 'seconds')}${cpu ? `; CPU ${cpu}` : ''}`,
      );
    }
  }
  const redacted = rows.filter((r) => r.tools.heapwatchRedact?.ok);
  if (redacted.length) {
    out.push('');
    out.push(
      "`heapwatch redact` (streams the file to a redacted copy; target: as fast as `analyze` reads), beside the reader alone and a kernel copy + fsync of the file (the disk's floor for any durable copy):",
    );
    // whole processes, as redact is measured; the copy's own time (its file's removal after is no part of a copy)
    const run = (t, inner = false) => {
      if (!t?.ok) return t?.note ?? 'not measured';
      const cpu = t.cpuSeconds && !inner ? ` (CPU ${t.cpuSeconds.toFixed(1)} s)` : '';
      return `${(inner ? t.output.seconds : t.seconds).toFixed(2)} s${cpu}`;
    };
    for (const r of redacted) {
      const { heapwatchRedact: red, heapwatchRedactTmpfs: shm, readOnly, durableCopy, heapwatch: full } = r.tools;
      const rss = `peak RSS ${(red.peakRssBytes / 2 ** 30).toFixed(2)} GiB`;
      const vs = full?.ok
        ? `; analyze ${full.seconds.toFixed(1)} s, ${(full.peakRssBytes / 2 ** 30).toFixed(2)} GiB`
        : '';
      out.push(
        `- ${r.size}: redact ${run(red)}, ${rss}; to /dev/shm ${run(shm)}; reader alone ${run(readOnly)}; kernel copy + fsync ${run(durableCopy, true)}${vs}`,
      );
    }
  }
  const indexed = rows.filter((r) => r.index?.node);
  if (indexed.length) {
    out.push('');
    out.push(
      'The saved analysis (index) beside the cold `analyze` (targets at 660 MB: `node` for 100 ids reopened < 1 s, index ≤ 1× the snapshot):',
    );
    for (const r of indexed) {
      const { write, node, top50, bytes, ids } = r.index;
      const cold = r.tools.heapwatch;
      const t = (x) =>
        x?.ok
          ? `${x.seconds.toFixed(2)} s${x.cpuSeconds ? ` (CPU ${x.cpuSeconds.toFixed(1)} s)` : ''}, ${(x.peakRssBytes / GiB).toFixed(2)} GiB`
          : (x?.note ?? '—');
      out.push(
        `- ${r.size}: cold analyze ${t(cold)}; analyze writing the index ${t(write)}; reopened: node ${ids} ids ${t(node)}, analyze --top 50 ${t(top50)}; index ${(bytes / 1e6).toFixed(0)} MB = ${(bytes / r.bytes).toFixed(2)}× the snapshot`,
      );
    }
  }
  const checked = rows.filter((r) => r.check);
  if (checked.length) {
    out.push('');
    out.push(
      "Correctness against DevTools (node count, total size, heapwatch's dominator list, DevTools' top-level dominators, a seeded sample of 200 objects + the 100 largest):",
    );
    for (const r of checked) {
      const c = r.check;
      out.push(
        `- ${r.size}: ${c.mismatches ?? '?'} mismatches of ${c.checked} checked${c.notes.length ? ` (${c.notes.join('; ')})` : ''}`,
      );
      for (const d of c.details.slice(0, 5)) out.push(`  - ${d}`);
      if (c.details.length > 5) out.push(`  - … ${c.details.length - 5} more`);
    }
  }
  // what each tool calls the total (the root's retained size), as a plain cross-check of the peers too
  const totals = rows.filter((r) => Object.values(r.tools).some((t) => t.ok && t.output));
  if (totals.length) {
    out.push('');
    out.push('Total size (root retained) as each tool reports it:');
    for (const r of totals) {
      const { heapwatch: hw, devtools: dt, memlab: ml } = r.tools;
      const total = (t, pick) => (t?.ok && t.output ? String(pick(t.output)) : '—');
      out.push(
        `- ${r.size}: heapwatch ${total(hw, (o) => o.snapshot?.totalSize)}, DevTools ${total(dt, (o) => o.totalSize)}, memlab ${total(ml, (o) => o.totalSize)} bytes`,
      );
    }
  }
  if (live.length) {
    out.push('');
    out.push('Live benches:');
    for (const l of live) {
      out.push(`- ${l.file} (${l.seconds.toFixed(0)} s)${l.ok ? '' : ' FAILED'}:`);
      out.push('');
      out.push('```');
      out.push((l.ok ? l.output : l.error) || '(no output)');
      out.push('```');
    }
  }
  out.push('');
  out.push(
    `Command: \`npm run bench -- --sizes ${args.sizes.join(',')}${args.tools.size < TOOLS.length ? ` --only ${[...args.tools].join(',')}` : ''}\``,
  );
  return out.join('\n');
}

// bench/RESULTS.md keeps one section per set of sizes (a 2 GB run does not erase the usual one): a run replaces
// the section of its own sizes and leaves the others.
function writeResults(text, args) {
  const file = path.join(repoRoot, 'bench', 'RESULTS.md');
  const key = args.sizes.join(',');
  const section = `<!-- sizes ${key} -->\n## ${key}\n\n${text}\n<!-- /sizes ${key} -->`;
  const intro =
    '`npm run bench` (bench/run.js) on the snapshots bench/generate.js writes; `npm run bench -- --write-results` rewrites the section of the sizes it ran.';
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (!doc.includes('<!-- sizes ')) doc = `# heapwatch bench results\n\n${intro}\n`;
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const existing = new RegExp(`<!-- sizes ${escaped} -->[\\s\\S]*?<!-- /sizes ${escaped} -->`);
  doc = existing.test(doc) ? doc.replace(existing, () => section) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(`${file}.tmp`, doc);
  fs.renameSync(`${file}.tmp`, file);
  log(`wrote ${file} (section ${key})`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  args.loadAtStart = os.loadavg()[0];
  if (args.build && args.tools.has('heapwatch') && heapwatchRoot === repoRoot) {
    log('building dist/ (tsc) …');
    spawnSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repoRoot], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const peers = { oracle: null, memlab: null };
  if (args.tools.has('devtools') || (args.check && args.tools.has('heapwatch'))) {
    try {
      peers.oracle = ensureDevtoolsOracle();
    } catch (e) {
      log(`DevTools worker not available: ${e.message}`);
    }
  }
  if (args.tools.has('memlab')) {
    try {
      peers.memlab = ensureMemlab({ log });
    } catch (e) {
      log(`memlab not available: ${e.message}`);
    }
  }
  const rows = [];
  for (const size of args.sizes) rows.push(await benchSize(size, args, peers));
  const live = args.live ? await runLiveBenches() : [];
  const text = report(rows, live, args);
  console.log(text);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const raw = path.join(benchDir(), 'results', `${stamp}.json`);
  fs.mkdirSync(path.dirname(raw), { recursive: true });
  const strip = (r) => ({
    ...r,
    tools: Object.fromEntries(Object.entries(r.tools).map(([k, v]) => [k, { ...v, output: undefined }])),
  });
  fs.writeFileSync(raw, JSON.stringify({ node: process.version, rows: rows.map(strip), live }, null, 2));
  log(`raw results: ${raw}`);
  if (args.writeResults) writeResults(text, args);
  const failed = rows.some((r) => r.check && r.check.mismatches !== 0 && r.check.mismatches !== null);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(`[bench] ${e.stack || e}`);
  process.exitCode = 1;
});
