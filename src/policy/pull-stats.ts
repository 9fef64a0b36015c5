// What earlier pulls of an image in the cluster tell about a pull in progress: its size and how
// long it usually takes. Fed with every `Pulled` event the service sees. Pure, bounded memory.
import type { KubeEvent } from '../diagnosis/types.js';
import type { PullProgress } from './types.js';

export interface PullSample {
  seconds: number;
  bytes?: number;
}

const PULLED = /Successfully pulled image "([^"]+)" in ([0-9.a-zµ]+)/;
const SIZE = /Image size: (\d+) bytes/;
// Sub-second units divide, so that 350ms is exactly 0.35.
const UNIT: Record<string, [number, number]> = {
  h: [3600, 1],
  m: [60, 1],
  s: [1, 1],
  ms: [1, 1e3],
  us: [1, 1e6],
  µs: [1, 1e6],
  ns: [1, 1e9],
};

/** Parses a Go duration such as `1m2.5s`, `350ms`, `1h0m3s`; undefined if it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^([0-9.]+(h|m|s|ms|us|µs|ns))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9.]+)(ms|us|µs|ns|h|m|s)/g)) {
    const n = Number(m[1]);
    if (!Number.isFinite(n)) return undefined;
    const [mul, div] = UNIT[m[2]!]!;
    total += (n * mul) / div;
  }
  return total;
}

/** A `Pulled` event's image, duration and size; undefined for "already present" and anything else. */
export function parsePulled(event: KubeEvent): ({ image: string } & PullSample) | undefined {
  if (event?.reason !== 'Pulled' || typeof event.message !== 'string') return undefined;
  const m = PULLED.exec(event.message);
  if (!m) return undefined;
  const seconds = parseGoDuration(m[2]!);
  if (seconds === undefined) return undefined;
  const size = SIZE.exec(event.message);
  return { image: m[1]!, seconds, ...(size ? { bytes: Number(size[1]) } : {}) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export class PullStats {
  private readonly samples = new Map<string, PullSample[]>();
  /** Event uids already counted (an event is seen again on every update and relist). */
  private readonly counted = new Set<string>();

  constructor(
    private readonly perImage = 20,
    private readonly maxImages = 500,
  ) {}

  observe(event: KubeEvent): void {
    const parsed = parsePulled(event);
    if (!parsed) return;
    const key = event.metadata?.uid ?? `${event.metadata?.namespace}/${event.metadata?.name}`;
    if (this.counted.has(key)) return;
    this.counted.add(key);
    if (this.counted.size > this.maxImages * this.perImage * 2) this.counted.clear();
    const list = this.samples.get(parsed.image) ?? [];
    list.push({ seconds: parsed.seconds, ...(parsed.bytes !== undefined ? { bytes: parsed.bytes } : {}) });
    if (list.length > this.perImage) list.shift();
    this.samples.delete(parsed.image); // re-insert: Map order is the eviction order (oldest first)
    this.samples.set(parsed.image, list);
    if (this.samples.size > this.maxImages) this.samples.delete(this.samples.keys().next().value!);
  }

  /**
   * Size and ETA of a pull of `image` running since `pullingSince` (epoch ms). Only pulls that took
   * time count for the ETA (a 0.1 s pull was a cache hit on a layer-sharing node).
   */
  estimate(image: string | undefined, pullingSince: number | undefined, now: number): PullProgress {
    const out: PullProgress = {};
    if (image) out.image = image;
    const elapsed = pullingSince !== undefined ? Math.max(0, (now - pullingSince) / 1000) : undefined;
    if (elapsed !== undefined) out.elapsedSeconds = Math.round(elapsed);
    const list = image ? this.samples.get(image) : undefined;
    if (!list?.length) return out;
    const sizes = list.map((s) => s.bytes).filter((b): b is number => b !== undefined && b > 0);
    if (sizes.length) out.imageSize = sizes[sizes.length - 1]!;
    const slow = list.filter((s) => s.seconds >= 1).map((s) => s.seconds);
    if (slow.length && elapsed !== undefined) {
      const left = median(slow) - elapsed;
      if (left > 0) out.etaSeconds = Math.ceil(left);
    }
    return out;
  }
}
