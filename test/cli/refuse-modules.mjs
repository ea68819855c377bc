// Preload (`node --import`) for startup.test.ts: any module whose specifier ends with one of the comma-separated
// suffixes in HEAPWATCH_TEST_REFUSE fails to load, so a test can show that a command never loads it.
import { register } from 'node:module';

if (!process.env.HEAPWATCH_TEST_HOOKED) {
  process.env.HEAPWATCH_TEST_HOOKED = '1';
  register(import.meta.url);
}

const refused = (process.env.HEAPWATCH_TEST_REFUSE ?? '').split(',').filter(Boolean);

export async function resolve(specifier, context, next) {
  if (refused.some((suffix) => specifier.endsWith(suffix))) throw new Error(`refused by the test: ${specifier}`);
  return next(specifier, context);
}
