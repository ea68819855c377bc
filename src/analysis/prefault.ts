type ZeroedArray = Uint8Array | Uint32Array | Int32Array | Float64Array;

/**
 * `array` written through with zeros once, for a big fresh typed array whose pages may be read before they are
 * written (counters, bit sets, visited flags). A fresh page that is read first maps the kernel's shared zero
 * page; the write that follows faults again and, while the other thread runs, interrupts its CPU to flush the
 * TLB, which is dear in a VM. Written first, each page faults once, writable: on an 8 M-node snapshot this
 * saved 0.2 s of CPU and 0.25 s of wall time.
 */
export function prefaulted<T extends ZeroedArray>(array: T): T {
  array.fill(0);
  return array;
}
