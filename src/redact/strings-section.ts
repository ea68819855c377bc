import type { BackgroundSyncs } from './background-syncs.js';
import type { Output } from './output-buffer.js';
import type { Replacer } from './replacement.js';
import type { StringSizes } from './string-sizes.js';
import type { StringsSource } from './strings-source.js';

/** Strings written between two chances for a signal handler to run. */
const STRINGS_PER_RUN = 0x10000;

/**
 * Writes the strings section (every string, redacted where `uses` says so, the kept ones' bytes read again from
 * the file through `source`) through `out`, a full buffer at a time
 * in the background; `syncs` is told where the copy is written up to after each buffer, so the disk writes the
 * section while it is made and the final fsync has little left (at 660 MB it took ~200-250 ms for the ~80 MB of
 * strings when nothing was pushed during the section, ~30 ms with a sync every 16 MiB).
 */
export async function writeStringsSection(
  out: Output,
  strings: StringSizes,
  source: StringsSource,
  uses: Uint8Array,
  replacer: Replacer,
  syncs: BackgroundSyncs,
): Promise<void> {
  for (let i = 0; i < strings.length; ) {
    const to = Math.min(strings.length, i + STRINGS_PER_RUN);
    const next = out.redactedStrings(strings, source, uses, replacer, i, to);
    if (next < to) {
      await out.flushInBackground();
      syncs.reached(out.position);
    }
    i = next;
    await out.yieldNow();
  }
  await out.drain();
}
