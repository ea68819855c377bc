/** The one error type of heapwatch. The CLI prints `heapwatch: <message>` and exits with `exitCode`. */
export class HeapwatchError extends Error {
  constructor(
    message: string,
    /** A stable machine-readable code, e.g. `BAD_SNAPSHOT`, `NO_SUCH_PID`. */
    readonly code: string,
    /** 2 for bad usage or bad input, 1 for a failure at run time. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'HeapwatchError';
  }
}

/** Bad input in a file: `<what> (<file>:<byte offset>)`, exit code 2. */
export function badInput(what: string, file: string, byteOffset: number, code = 'BAD_SNAPSHOT'): HeapwatchError {
  return new HeapwatchError(`${what} (${file}:${byteOffset})`, code, 2);
}

/** Bad command-line usage, exit code 2. */
export function usageError(message: string, code = 'USAGE'): HeapwatchError {
  return new HeapwatchError(message, code, 2);
}

/** A failure at run time (target died, timeout, I/O), exit code 1. */
export function runtimeError(message: string, code = 'RUNTIME'): HeapwatchError {
  return new HeapwatchError(message, code, 1);
}
