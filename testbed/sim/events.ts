// Events in the shape a kubelet's recorder (client-go tools/record) writes them: source
// kubelet/<node>, reporting kubelet/<node>, repeats folded into one Event whose count and
// lastTimestamp are patched, ten different messages of one reason within ten minutes
// combined ("(combined from similar events): ..."), and the per-object spam filter
// (a burst of 25, then one event per five minutes).
import type { CoreV1Api, CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

export interface EventTarget {
  pod: V1Pod;
  node: string;
  /** `spec.containers{name}` for container events; absent for pod-level ones. */
  fieldPath?: string;
}

/** Another component's recorder (e.g. Multus, which reports as `multus` without a host), and event annotations. */
export interface EmitOptions {
  component?: string;
  /** The reporting host; null: none. Default: the node. */
  host?: string | null;
  annotations?: Record<string, string>;
}

const AGGREGATE_MAX = 10;
const AGGREGATE_WINDOW_MS = 10 * 60_000;
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 5 * 60_000;

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly similar = new Map<string, { messages: Set<string>; last: number }>();
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly core: CoreV1Api,
    private readonly log: (msg: string) => void,
  ) {}

  /** Records an event; resolves when it is written (errors are logged, never thrown). */
  emit(
    target: EventTarget,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    opts: EmitOptions = {},
  ): Promise<void> {
    const at = new Date();
    const job = this.queue.then(() => this.write(target, type, reason, message, at, opts));
    this.queue = job.catch(() => undefined);
    return job.catch((err) => this.log(`event ${reason} for ${target.pod.metadata?.name}: ${String(err)}`));
  }

  /** Forgets a deleted pod's bookkeeping. */
  forget(uid: string): void {
    for (const m of [this.seen, this.similar, this.buckets]) {
      for (const k of m.keys()) if (k.includes(uid)) m.delete(k);
    }
  }

  private allow(objectKey: string, now: number): boolean {
    const b = this.buckets.get(objectKey) ?? { tokens: SPAM_BURST, last: now };
    const refill = Math.floor((now - b.last) / SPAM_REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(SPAM_BURST, b.tokens + refill);
      b.last += refill * SPAM_REFILL_MS;
    }
    this.buckets.set(objectKey, b);
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  private async write(
    t: EventTarget,
    type: string,
    reason: string,
    message: string,
    at: Date,
    opts: EmitOptions,
  ): Promise<void> {
    const meta = t.pod.metadata ?? {};
    const uid = meta.uid ?? '';
    const component = opts.component ?? 'kubelet';
    const host = opts.host === undefined ? t.node : opts.host;
    const objectKey = [component, host ?? '', 'Pod', meta.namespace, meta.name, uid, 'v1'].join('\u0000');
    if (!this.allow(objectKey, at.getTime())) return;

    const aggregateKey = [objectKey, type, reason, component, host ?? ''].join('\u0000');
    let sim = this.similar.get(aggregateKey);
    if (!sim || at.getTime() - sim.last > AGGREGATE_WINDOW_MS) {
      sim = { messages: new Set(), last: at.getTime() };
      this.similar.set(aggregateKey, sim);
    }
    sim.messages.add(message);
    sim.last = at.getTime();
    let key = [objectKey, t.fieldPath ?? '', type, reason, message].join('\u0000');
    let text = message;
    if (sim.messages.size >= AGGREGATE_MAX) {
      key = aggregateKey;
      text = `(combined from similar events): ${message}`;
    }

    const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z');
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      try {
        await this.core.patchNamespacedEvent(
          {
            name: prev.name,
            namespace: prev.namespace,
            body: { count: prev.count, lastTimestamp: stamp, message: text },
          },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        );
        return;
      } catch (err) {
        // Expired (event TTL) or deleted: start a new one, as the kubelet does.
        if ((err as { code?: number }).code !== 404) throw err;
        this.seen.delete(key);
      }
    }
    const name = `${meta.name}.${(BigInt(at.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
    const body: CoreV1Event = {
      metadata: {
        name,
        namespace: meta.namespace ?? 'default',
        ...(opts.annotations ? { annotations: opts.annotations } : {}),
      },
      involvedObject: {
        kind: 'Pod',
        namespace: meta.namespace,
        name: meta.name,
        uid,
        apiVersion: 'v1',
        resourceVersion: meta.resourceVersion,
        ...(t.fieldPath ? { fieldPath: t.fieldPath } : {}),
      },
      reason,
      message: text,
      type,
      source: host ? { component, host } : { component },
      firstTimestamp: new Date(stamp),
      lastTimestamp: new Date(stamp),
      count: 1,
      reportingComponent: component,
      reportingInstance: host ?? '',
    };
    await this.core.createNamespacedEvent({ namespace: body.metadata.namespace ?? 'default', body });
    this.seen.set(key, {
      name,
      namespace: body.metadata.namespace ?? 'default',
      count: 1,
      firstTimestamp: stamp,
    });
  }
}
