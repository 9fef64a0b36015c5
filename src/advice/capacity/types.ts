// One interface for every capacity source (DESIGN section 5, step 1). A snapshot lists the nodes a
// notebook could use (cordoned nodes and nodes outside the label filter are already left out),
// each with its allocatable and free cpu (cores), memory (bytes) and extended resources (counts).
import type { CapacitySnapshot } from '../../diagnosis/types.js';

export type { CapacitySnapshot, NodeCapacity } from '../../diagnosis/types.js';

export interface CapacityProvider {
  /** Rejects with a CapacityError (with context) when the source cannot be read. */
  snapshot(signal?: AbortSignal): Promise<CapacitySnapshot>;
}

export class CapacityError extends Error {
  constructor(
    message: string,
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(`capacity (${source}): ${message}`, options);
    this.name = 'CapacityError';
  }
}
