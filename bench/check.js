// Correctness in the bench: heapwatch's numbers against Chrome DevTools' worker (the oracle) on the same file.
// Compared: node count and total size; every object of heapwatch's `analyze` dominator list; DevTools' top-level
// dominators; and a seeded CDT_SAMPLE of objects (plus DevTools' 100 largest) through `heapwatch node`.
// The oracle's answer for a file is cached beside the snapshots: the file and the asked ids decide it.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { benchDir } from './generate.js';
import { lastJson, measure } from './measure.js';

export const SAMPLE_SIZE = 200;
const FIELDS = ['className', 'selfSize', 'retainedSize', 'dominatorId'];

/** DevTools' description of the sample, its top level and `ids`, from cache or from one oracle run. */
export async function oracleAnswer(oracle, file, ids, nodeFlags = []) {
  const stat = fs.statSync(file);
  const key = createHash('sha1')
    .update(JSON.stringify([path.basename(file), stat.size, stat.mtimeMs, [...ids].sort(), SAMPLE_SIZE]))
    .digest('hex')
    .slice(0, 16);
  const cached = path.join(benchDir(), 'oracle', `${path.basename(file)}.${key}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8'));
  const env = { ...process.env, CDT_SAMPLE: String(SAMPLE_SIZE), CDT_TOP_N: '20', CDT_IDS: ids.join(',') };
  const run = await measure(process.execPath, [...nodeFlags, oracle, file], { env });
  const answer = run.exitCode === 0 ? lastJson(run.stdout) : null;
  if (!answer) throw new Error(`oracle failed on ${file} (exit ${run.exitCode}): ${run.stderr.trim().slice(-400)}`);
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  fs.writeFileSync(`${cached}.tmp`, JSON.stringify(answer));
  fs.renameSync(`${cached}.tmp`, cached);
  return answer;
}

function differences(expected, actual) {
  if (!actual) return ['missing from heapwatch'];
  const out = [];
  for (const f of FIELDS) if (expected[f] !== actual[f]) out.push(`${f} ${actual[f]} ≠ DevTools ${expected[f]}`);
  return out;
}

/**
 * @param {{analysis: any, nodes: Map<number, any>|null, oracle: any}} input
 *   analysis: heapwatch's `analyze --json`; nodes: heapwatch's `node --json` answers by id (null when unavailable)
 * @returns {{checked: number, mismatches: number, details: string[], notes: string[]}}
 */
export function compare({ analysis, nodes, oracle }) {
  const details = [];
  const notes = [];
  let checked = 0;
  let mismatches = 0;
  const record = (label, diffs) => {
    checked++;
    if (diffs.length === 0) return;
    mismatches++;
    details.push(`${label}: ${diffs.join(', ')}`);
  };
  const snap = analysis?.snapshot ?? {};
  record('nodeCount', snap.nodeCount === oracle.nodeCount ? [] : [`${snap.nodeCount} ≠ DevTools ${oracle.nodeCount}`]);
  record('totalSize', snap.totalSize === oracle.totalSize ? [] : [`${snap.totalSize} ≠ DevTools ${oracle.totalSize}`]);

  // heapwatch's own dominator list: each entry as DevTools sees that object
  for (const d of analysis?.dominators ?? []) {
    const expected = oracle.ids?.[d.id];
    if (!expected) {
      record(`dominators[] @${d.id}`, ['id not in the snapshot according to DevTools']);
      continue;
    }
    record(`dominators[] @${d.id} ${expected.className}`, differences(expected, d));
  }

  const seen = new Set();
  const lookup = (obj, label) => {
    if (seen.has(`${label}${obj.id}`)) return;
    seen.add(`${label}${obj.id}`);
    record(`${label} @${obj.id} ${obj.className}`, differences(obj, nodes.get(obj.id)));
  };
  if (nodes) {
    for (const obj of oracle.topLevelDominators ?? []) lookup(obj, 'top-level');
    for (const obj of oracle.sample ?? []) lookup(obj, 'sample');
  } else {
    // without `heapwatch node`, only DevTools' top-level objects that heapwatch listed can be compared
    const listed = new Map((analysis?.dominators ?? []).map((d) => [d.id, d]));
    let found = 0;
    for (const obj of oracle.topLevelDominators ?? []) {
      if (!listed.has(obj.id)) continue;
      found++;
      record(`top-level @${obj.id} ${obj.className}`, differences(obj, listed.get(obj.id)));
    }
    notes.push(`\`heapwatch node\` not available: sample not checked; ${found} of DevTools' top-level objects listed`);
  }
  return { checked, mismatches, details, notes };
}
