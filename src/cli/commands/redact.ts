import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { createProgress } from '../progress.js';

interface RedactCommandOptions {
  keepEqual?: boolean;
  removeInput?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('redact')
    .description(
      'write a copy of a .heapsnapshot that is safe to share: string values and data-carrying names replaced, the graph, sizes and ids kept',
    )
    .argument('<in>', 'a .heapsnapshot file')
    .argument('<out>', 'the redacted copy (mode 0600; never overwrites the input)')
    .option('--keep-equal', 'replace values by a short keyed hash (random key per run) so equal values stay equal')
    .option('--remove-input', 'remove <in> once the redacted copy is complete (what HEAPWATCH_REDACT=only does)')
    .option('--json', 'print the result as JSON (schema heapwatch/redact@1)')
    .action(async (input: string, output: string, opts: RedactCommandOptions) => {
      if (resolve(input) === resolve(output)) throw usageError('<out> must differ from <in>');
      const { outputProblem } = await import('../../guard/safe-file.cjs');
      const problem = await outputProblem(output);
      if (problem) throw usageError(problem, 'BAD_OUTPUT');
      const { redactFile } = await import('../../redact/redact-file.js');
      const progress = createProgress('redacting');
      const started = Date.now();
      const result = await redactFile(input, output, {
        style: opts.keepEqual ? 'keyed-hash' : 'placeholder',
        onProgress: (f, step) => progress.update(f, step),
      }).finally(() => progress.done());
      if (opts.removeInput) {
        const { unlink } = await import('node:fs/promises');
        await unlink(input);
      }
      const seconds = (Date.now() - started) / 1000;
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({ schema: 'heapwatch/redact@1', input, output, ...result, removedInput: Boolean(opts.removeInput), durationMs: Date.now() - started })}\n`,
        );
      } else {
        process.stdout.write(
          `${output}: ${result.redacted} of ${result.strings} strings redacted (${opts.keepEqual ? 'keyed hashes' : 'same-length placeholders'}), ${seconds.toFixed(1)} s${opts.removeInput ? `; ${input} removed` : ''}\n`,
        );
      }
    });
}
