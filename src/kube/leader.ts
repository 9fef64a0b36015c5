// Leader election on a coordination.k8s.io/v1 Lease, so that two or more replicas never act twice.
// Every `renewSeconds` the leader renews; a follower takes over when it has seen the same
// holder/renewTime for `leaseDurationSeconds` by its own clock (no clock-skew assumptions).
// Failover is therefore within leaseDuration + renew (10 + 2 s by default). Writes use the Lease's
// resourceVersion, so two candidates racing for it cannot both win.
import { type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { statusOf } from './client.js';

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewSeconds: number;
  onChange(leader: boolean): void;
  onError?(err: unknown): void;
  now?: () => number;
}

export class LeaderElector {
  private leader = false;
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private observed?: { key: string; at: number };
  private lastRenew = 0;
  private readonly now: () => number;

  constructor(
    private readonly api: CoordinationV1Api,
    private readonly opts: LeaderOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.loop();
  }

  /** Stops and, if leading, releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leader) return;
    this.setLeader(false);
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity === this.opts.identity) {
        lease.spec.holderIdentity = undefined;
        lease.spec.renewTime = undefined;
        lease.spec.acquireTime = undefined;
        lease.spec.leaseDurationSeconds = 1;
        await this.api.replaceNamespacedLease({
          name: this.opts.name,
          namespace: this.opts.namespace,
          body: lease,
        });
      }
    } catch (err) {
      this.opts.onError?.(err);
    }
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tryAcquireOrRenew();
    } catch (err) {
      this.opts.onError?.(err);
    }
    // A leader that could not renew for a whole lease duration must assume it lost the lease.
    if (this.leader && this.now() - this.lastRenew > this.opts.leaseDurationSeconds * 1000)
      this.setLeader(false);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), this.opts.renewSeconds * 1000);
    this.timer.unref();
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  // Lease times are MicroTime: the API server rejects millisecond precision, so V1MicroTime.
  private spec(transitions: number, acquireTime: Date): V1Lease['spec'] {
    return {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: this.opts.leaseDurationSeconds,
      acquireTime: new V1MicroTime(acquireTime.getTime()),
      renewTime: new V1MicroTime(this.now()),
      leaseTransitions: transitions,
    };
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { name, namespace, identity } = this.opts;
    const lease = await this.read();
    const now = this.now();
    if (!lease) {
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: this.spec(0, new Date(now)) },
        });
        this.renewed();
      } catch (err) {
        if (statusOf(err) !== 409) throw err; // someone else created it first
      }
      return;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const key = `${holder}|${spec.renewTime ? new Date(spec.renewTime as Date).getTime() : ''}`;
    if (this.observed?.key !== key) this.observed = { key, at: now };
    const duration = (spec.leaseDurationSeconds ?? this.opts.leaseDurationSeconds) * 1000;
    const expired = holder === '' || now - this.observed.at >= duration;
    if (holder !== identity && !expired) {
      if (this.leader) this.setLeader(false);
      return;
    }
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const acquire =
      holder === identity && spec.acquireTime ? new Date(spec.acquireTime as Date) : new Date(now);
    lease.spec = this.spec(transitions, acquire);
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      this.renewed();
    } catch (err) {
      if (statusOf(err) === 409) {
        if (this.leader) this.setLeader(false); // someone else wrote it: they hold it now
        return;
      }
      throw err;
    }
  }

  private renewed(): void {
    this.lastRenew = this.now();
    this.setLeader(true);
  }

  private setLeader(value: boolean): void {
    if (this.leader === value) return;
    this.leader = value;
    this.opts.onChange(value);
  }
}
