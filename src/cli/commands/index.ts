import type { Command } from 'commander';
import { register as analyze } from './analyze.js';
import { register as attach } from './attach.js';
import { register as cache } from './cache.js';
import { register as demo } from './demo.js';
import { register as diff } from './diff.js';
import { register as dump } from './dump.js';
import { register as find } from './find.js';
import { register as gc } from './gc.js';
import { register as histo } from './histo.js';
import { register as mcp } from './mcp.js';
import { register as node } from './node.js';
import { register as path } from './path.js';
import { register as ps } from './ps.js';
import { register as redact } from './redact.js';
import { register as run } from './run.js';
import { register as sample } from './sample.js';

/** One file per command; each exports `register(program)`. Heavy modules are imported inside the action. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  attach,
  ps,
  gc,
  dump,
  sample,
  analyze,
  histo,
  node,
  find,
  run,
  path,
  diff,
  demo,
  mcp,
  redact,
  cache,
];
