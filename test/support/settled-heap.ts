import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Bytes of JavaScript heap plus off-heap buffers still reachable after a full collection: what a
 * test of a memory bound compares before and after, so garbage not yet collected does not count.
 */
export function settledMemoryBytes(): number {
  collectGarbage();
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

export const MIB = 1024 * 1024;
