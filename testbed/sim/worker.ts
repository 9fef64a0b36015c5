// One pod on one simulated node, driven the way the kubelet drives it: volumes, sandbox (pod
// IP), image pulls with back-off, container config, start, restarts with crash back-off, and
// termination on deletion. Every step leaves the kubelet's events and pod status.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type {
  CoreV1Api,
  StorageV1Api,
  V1Container,
  V1ContainerState,
  V1ContainerStatus,
  V1Pod,
  V1PodCondition,
} from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parseQuantity } from '../../src/diagnosis/quantity.js';
import { admit } from './admission.js';
import type { Backoff } from './backoff.js';
import type { Catalog, CatalogImage } from './catalog.js';
import { resolveEnv } from './env.js';
import type { EventRecorder, EventTarget } from './events.js';
import { memoryEviction } from './eviction.js';
import { execError } from './exec.js';
import { faults } from './fault-wording.js';
import type { IpPool } from './ippool.js';
import { isNotFound } from './kube.js';
import { msg, podDesc, pullOutcome } from './messages.js';
import { adoptProcess, type Exit, type Running, startHttp, startProcess } from './procs.js';
import { parseImageReference, withDefaultTag } from './reference.js';
import { setUpNetwork } from './sandbox.js';
import { mountVolume, type VolumeState } from './volumes.js';

/** How soon the kubelet retries a pod whose sync failed (its pod worker back-off). */
const REQUEUE_MS = 10_000;
const PULL_FAILED_RESYNC_MS = 1_500;
const VOLUME_RETRY_FIRST_MS = 500;
const VOLUME_RETRY_MAX_MS = 122_000;
const MAX_GRACE_MS = 15_000;
/** A failed container start is noticed by the next PLEG relist (every second), which syncs again. */
const PLEG_RELIST_MS = 1_000;
/** Hard eviction gives the pod this long to stop (kubelet pkg/kubelet/eviction immediateEvictionGracePeriodSeconds). */
const EVICTION_GRACE_MS = 1_000;

/** A pod the kubelet will not run (again): refused at admission, evicted, or found so after a restart. */
type Terminal =
  | { kind: 'rejected'; reason: string; message: string }
  | { kind: 'evicted'; reason: string; message: string }
  | { kind: 'restored' };

export interface SimNode {
  name: string;
  hostIP: string;
  /** Normalised names of the images present on the node. */
  images: Set<string>;
  /** The kubelet pulls one image at a time (serializeImagePulls). */
  pullQueue: Promise<unknown>;
}

export interface WorkerDeps {
  core: CoreV1Api;
  storage: StorageV1Api;
  catalog: Catalog;
  events: EventRecorder;
  ips: IpPool;
  pullBackoff: Backoff;
  crashBackoff: Backoff;
  /** Last pull error per back-off key, shown while backing off (kubelet 1.32+). */
  pullErrors: Map<string, string>;
  stateDir: string;
  venv: () => Promise<string>;
  imagesChanged: () => void;
  log: (line: string) => void;
}

interface ContainerRun {
  spec: V1Container;
  init: boolean;
  restartCount: number;
  state: V1ContainerState;
  lastState: V1ContainerState;
  ready: boolean;
  started: boolean;
  containerID?: string;
  imageShown: string;
  imageID: string;
  run?: Running;
  startedAt?: string;
  finishedAt?: number;
  nextAttempt: number;
  done: boolean;
  adopt: boolean;
}

const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function imageIdFor(normalized: string): string {
  const repo = normalized.replace(/[:@][^/]*$/, '');
  return `${repo}@sha256:${createHash('sha256').update(normalized).digest('hex')}`;
}

/** The command line as one string, and the script of `sh -c '...'` when there is one. */
function commandLines(c: V1Container): string[] {
  const all = [...(c.command ?? []), ...(c.args ?? [])];
  const lines = [all.join(' ')];
  const dashC = all.indexOf('-c');
  if (dashC > 0 && /(^|\/)(ba)?sh$/.test(all[0] ?? '') && all[dashC + 1] !== undefined)
    lines.push(all[dashC + 1] ?? '');
  return lines.map((l) => l.trim());
}

const LAUNCHERS =
  /(^|\/)(jupyterhub-singleuser|start-singleuser\.(sh|py)|start-notebook\.(sh|py)|start\.sh|tini|jupyter|labhub)$/;
const BIND_OPTION = /^--((ServerApp|NotebookApp|SingleUserNotebookApp)\.)?(ip|port)(=|$)/;

/** Translates a notebook container's command line into jupyterhub-singleuser options. */
export function singleuserArgs(c: V1Container): { args: string[]; port?: number } {
  const all = [...(c.command ?? []), ...(c.args ?? [])];
  let port: number | undefined;
  const args: string[] = [];
  for (const a of all) {
    const p = /^--((ServerApp|NotebookApp|SingleUserNotebookApp)\.)?port=(\d+)$/.exec(a);
    if (p) port = Number(p[3]);
    if (LAUNCHERS.test(a) || a === '--' || BIND_OPTION.test(a) || !a.startsWith('--')) continue;
    args.push(a);
  }
  return port === undefined ? { args } : { args, port };
}

export class PodWorker {
  private readonly runs = new Map<string, ContainerRun>();
  private readonly volumeStates = new Map<string, { state: VolumeState; next: number; delay: number }>();
  private readonly conditionTimes = new Map<string, { status: string; time: string }>();
  private podIP?: string;
  private startTime?: string;
  private lastStatus = '';
  private pending = false;
  private busy = false;
  private wakeAtMs = Number.POSITIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private terminating = false;
  private terminal?: Terminal;
  private firstSandboxAttempt?: number;
  private nextSandboxAttempt = 0;
  private evictTimer?: NodeJS.Timeout;
  gone = false;

  constructor(
    private pod: V1Pod,
    private readonly node: SimNode,
    private readonly deps: WorkerDeps,
  ) {
    this.restore();
  }

  private get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  private get dir(): string {
    return join(this.deps.stateDir, 'pods', this.uid);
  }

  /** Picks up what an earlier run of the simulated kubelet left in the pod's status. */
  private restore(): void {
    const st = this.pod.status;
    if (st?.phase === 'Failed' || st?.phase === 'Succeeded') this.terminal = { kind: 'restored' };
    if (st?.podIP) {
      this.podIP = st.podIP;
      this.deps.ips.reserve(st.podIP);
    }
    if (st?.startTime) this.startTime = iso(new Date(st.startTime).getTime());
    const prev = [...(st?.initContainerStatuses ?? []), ...(st?.containerStatuses ?? [])];
    for (const cs of prev) {
      if (cs.imageID) {
        const parsed = parseImageReference(cs.image);
        if (parsed.ok) this.node.images.add(parsed.ref.normalized);
      }
    }
    const init = this.pod.spec?.initContainers ?? [];
    for (const c of [...init, ...(this.pod.spec?.containers ?? [])]) {
      const isInit = init.includes(c);
      const r = this.newRun(c, isInit);
      const cs = prev.find((p) => p.name === c.name);
      if (cs) {
        r.restartCount = cs.restartCount;
        r.lastState = cs.lastState ?? {};
        r.containerID = cs.containerID;
        r.imageShown = cs.image;
        r.imageID = cs.imageID;
        const term = cs.state?.terminated ?? cs.lastState?.terminated;
        if (term?.finishedAt) r.finishedAt = new Date(term.finishedAt).getTime();
        if (cs.state?.running) {
          r.state = cs.state;
          r.startedAt = cs.state.running.startedAt
            ? iso(new Date(cs.state.running.startedAt).getTime())
            : iso();
          r.adopt = true;
        } else if (cs.state?.terminated) {
          r.state = cs.state;
          if (isInit && cs.state.terminated.exitCode === 0) r.done = true;
        }
      }
      this.runs.set(c.name, r);
    }
  }

  private newRun(c: V1Container, init: boolean): ContainerRun {
    return {
      spec: c,
      init,
      restartCount: 0,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      ready: false,
      started: false,
      imageShown: c.image ?? '',
      imageID: '',
      nextAttempt: 0,
      done: false,
      adopt: false,
    };
  }

  update(pod: V1Pod): void {
    this.pod = pod;
    if (pod.metadata?.deletionTimestamp) void this.terminate(true);
    else this.kick();
  }

  /** The pod left the API without us (force deletion): stop its processes quietly. */
  async removed(): Promise<void> {
    await this.terminate(false);
  }

  kick(): void {
    this.pending = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.pending && !this.gone && !this.terminating) {
        this.pending = false;
        this.wakeAtMs = Number.POSITIVE_INFINITY;
        try {
          await this.sync();
        } catch (err) {
          this.deps.log(`sync ${this.pod.metadata?.namespace}/${this.pod.metadata?.name}: ${String(err)}`);
          this.wakeAt(Date.now() + 2000);
        }
      }
    } finally {
      this.busy = false;
    }
    clearTimeout(this.timer);
    if (Number.isFinite(this.wakeAtMs) && !this.gone && !this.terminating) {
      this.timer = setTimeout(() => this.kick(), Math.max(0, this.wakeAtMs - Date.now()) + 20);
    }
  }

  private wakeAt(ms: number): void {
    this.wakeAtMs = Math.min(this.wakeAtMs, ms);
  }

  private target(r?: ContainerRun): EventTarget {
    if (!r) return { pod: this.pod, node: this.node.name };
    return {
      pod: this.pod,
      node: this.node.name,
      fieldPath: `spec.${r.init ? 'initContainers' : 'containers'}{${r.spec.name}}`,
    };
  }

  private async sync(): Promise<void> {
    if (this.terminal) {
      await this.writeStatus();
      return;
    }
    if (!this.startTime) {
      // First sight of the pod: the kubelet's admission (HandlePodAdditions) before anything else.
      const rejected = admit(this.deps.catalog, this.pod);
      if (rejected) {
        this.terminal = { kind: 'rejected', ...rejected };
        await this.deps.events.emit(this.target(), 'Warning', rejected.reason, rejected.message);
        await this.writeStatus();
        return;
      }
    }
    this.startTime ??= iso();
    if (!(await this.syncVolumes())) {
      await this.writeStatus();
      return;
    }
    if (!this.podIP && !(await this.syncSandbox())) {
      await this.writeStatus();
      return;
    }
    if (!this.podIP) this.podIP = this.deps.ips.allocate();
    let initsDone = true;
    for (const r of this.runs.values()) {
      if (!r.init || r.done) continue;
      await this.syncContainer(r);
      if (this.terminating) return;
      if (!r.done) {
        initsDone = false;
        break;
      }
    }
    if (initsDone) {
      for (const r of this.runs.values()) {
        if (r.init) continue;
        await this.syncContainer(r);
        if (this.terminating) return;
      }
    }
    await this.writeStatus();
  }

  /** The sandbox's network (CNI); a failed attempt is retried on the pod worker's next sync. */
  private async syncSandbox(): Promise<boolean> {
    const now = Date.now();
    // Our own status updates wake the worker too; the kubelet retries only after its back-off.
    if (now < this.nextSandboxAttempt) {
      this.wakeAt(this.nextSandboxAttempt);
      return false;
    }
    this.firstSandboxAttempt ??= now;
    const net = setUpNetwork(this.deps.catalog, this.pod, now - this.firstSandboxAttempt);
    if (net.ok) return true;
    if (net.noNetworkFound) {
      await this.deps.events.emit(this.target(), 'Warning', faults.noNetworkFoundReason, net.noNetworkFound, {
        component: faults.multusComponent,
        host: null,
      });
    }
    await this.deps.events.emit(this.target(), 'Warning', 'FailedCreatePodSandBox', net.message);
    this.nextSandboxAttempt = now + REQUEUE_MS;
    this.wakeAt(this.nextSandboxAttempt);
    return false;
  }

  /** True when every volume is set up; failed attempts retry with the volume manager's back-off. */
  private async syncVolumes(): Promise<boolean> {
    let all = true;
    const now = Date.now();
    for (const vol of this.pod.spec?.volumes ?? []) {
      const known = this.volumeStates.get(vol.name);
      if (known?.state.kind === 'mounted') continue;
      if (known && now < known.next) {
        all = false;
        this.wakeAt(known.next);
        continue;
      }
      const state = await mountVolume(this.deps, this.pod, this.node.name, vol);
      if (this.terminating) return false;
      if (state.kind === 'mounted') {
        this.volumeStates.set(vol.name, { state, next: 0, delay: 0 });
        continue;
      }
      all = false;
      let delay = 2000;
      if (state.kind === 'failed') {
        delay =
          known?.state.kind === 'failed'
            ? Math.min(known.delay * 2, VOLUME_RETRY_MAX_MS)
            : VOLUME_RETRY_FIRST_MS;
        await this.deps.events.emit(this.target(), 'Warning', 'FailedMount', state.message);
      }
      this.volumeStates.set(vol.name, { state, next: now + delay, delay });
      this.wakeAt(now + delay);
    }
    return all;
  }

  private shouldRestart(r: ContainerRun): boolean {
    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    const code = r.state.terminated?.exitCode ?? r.lastState.terminated?.exitCode ?? 0;
    if (r.init) return policy !== 'Never' && code !== 0;
    return policy === 'Always' || (policy === 'OnFailure' && code !== 0);
  }

  private async syncContainer(r: ContainerRun): Promise<void> {
    if (r.adopt) {
      r.adopt = false;
      await this.adopt(r);
      if (r.run) return;
    }
    if (r.run || r.done) return;
    const now = Date.now();
    if (now < r.nextAttempt) {
      this.wakeAt(r.nextAttempt);
      return;
    }
    if (r.finishedAt !== undefined && (r.state.terminated || r.lastState.terminated)) {
      if (!this.shouldRestart(r)) {
        r.done = true;
        return;
      }
      const key = `${this.uid}_${r.spec.name}`;
      if (this.deps.crashBackoff.inBackoffSince(key, r.finishedAt)) {
        const b = this.deps.crashBackoff.get(key);
        const pod = podDesc({
          name: this.pod.metadata?.name ?? '',
          namespace: this.pod.metadata?.namespace ?? '',
          uid: this.uid,
        });
        if (r.state.terminated) r.lastState = { terminated: r.state.terminated };
        r.state = {
          waiting: { reason: 'CrashLoopBackOff', message: msg.crashBackOffStatus(b, r.spec.name, pod) },
        };
        await this.deps.events.emit(
          this.target(r),
          'Warning',
          'BackOff',
          msg.crashBackOffEvent(r.spec.name, pod),
        );
        const left = this.deps.crashBackoff.remaining(key, r.finishedAt);
        r.nextAttempt = now + Math.min(REQUEUE_MS, left + 100);
        this.wakeAt(r.nextAttempt);
        return;
      }
      this.deps.crashBackoff.next(key, r.finishedAt);
    }
    await this.startContainer(r);
  }

  private fail(r: ContainerRun, reason: string, message?: string): void {
    if (r.state.terminated) r.lastState = { terminated: r.state.terminated };
    r.state = { waiting: message ? { reason, message } : { reason } };
    r.nextAttempt = Date.now() + REQUEUE_MS;
    this.wakeAt(r.nextAttempt);
  }

  private async startContainer(r: ContainerRun): Promise<void> {
    const c = r.spec;
    const image = c.image ?? '';
    const t = this.target(r);
    const ev = this.deps.events;
    const outcome = pullOutcome(this.deps.catalog, image);
    if (outcome.kind === 'invalid') {
      await ev.emit(t, 'Warning', 'InspectFailed', outcome.message);
      await ev.emit(t, 'Warning', 'Failed', msg.error('InvalidImageName'));
      this.fail(r, 'InvalidImageName', outcome.message);
      return;
    }
    const parsed = parseImageReference(image);
    const tagged = parsed.ok ? withDefaultTag(image, parsed.ref) : image;
    const policy =
      c.imagePullPolicy ??
      (parsed.ok && (parsed.ref.tag ?? 'latest') === 'latest' ? 'Always' : 'IfNotPresent');
    const present = outcome.kind === 'exists' && this.node.images.has(outcome.normalized);
    if (policy === 'Never' && !present) {
      await ev.emit(t, 'Warning', 'ErrImageNeverPull', msg.neverPull(image));
      await ev.emit(t, 'Warning', 'Failed', msg.error('ErrImageNeverPull'));
      this.fail(r, 'ErrImageNeverPull', msg.neverPull(image));
      return;
    }
    if (present && policy !== 'Always') {
      await ev.emit(t, 'Normal', 'Pulled', msg.alreadyPresent(image));
    } else {
      const key = `${this.uid}_${tagged}`;
      if (this.deps.pullBackoff.inBackoffSinceUpdate(key)) {
        await ev.emit(t, 'Normal', 'BackOff', msg.pullBackOff(tagged));
        await ev.emit(t, 'Warning', 'Failed', msg.error('ImagePullBackOff'));
        const prev = this.deps.pullErrors.get(key);
        this.fail(
          r,
          'ImagePullBackOff',
          prev ? `${msg.pullBackOff(tagged)}: ${prev}` : msg.pullBackOff(tagged),
        );
        return;
      }
      this.deps.pullErrors.delete(key);
      await ev.emit(t, 'Normal', 'Pulling', msg.pulling(tagged));
      r.state = { waiting: { reason: 'ContainerCreating' } };
      await this.writeStatus();
      const result = await this.pull(outcome);
      if (this.terminating) return;
      if (!result.ok) {
        await ev.emit(t, 'Warning', 'Failed', msg.pullFailed(tagged, result.error));
        this.deps.pullBackoff.next(key);
        this.deps.pullErrors.set(key, `ErrImagePull: ${result.error}`);
        await ev.emit(t, 'Warning', 'Failed', msg.error('ErrImagePull'));
        this.fail(r, 'ErrImagePull', result.error);
        // The status update after a failed pull makes the kubelet sync again at once,
        // which finds the image in back-off.
        r.nextAttempt = Date.now() + PULL_FAILED_RESYNC_MS;
        this.wakeAt(r.nextAttempt);
        return;
      }
      await ev.emit(t, 'Normal', 'Pulled', msg.pulled(tagged, result.pullMs, result.totalMs, result.size));
    }
    if (outcome.kind !== 'exists') return;

    const env = await resolveEnv(this.deps.core, this.pod, c, this.podIP ?? '');
    if (this.terminating) return;
    if (!env.ok) {
      await ev.emit(t, 'Warning', 'Failed', msg.error(env.message));
      this.fail(r, 'CreateContainerConfigError', env.message);
      return;
    }

    if (r.finishedAt !== undefined) r.restartCount++;
    if (r.state.terminated) r.lastState = { terminated: r.state.terminated };
    r.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    r.imageShown = outcome.normalized;
    r.imageID = imageIdFor(outcome.normalized);
    await ev.emit(t, 'Normal', 'Created', msg.created(c.name));
    let run: Running;
    try {
      const missing = execError(outcome.image, c);
      if (missing) throw new Error(missing);
      run = await this.launch(r, outcome.image, env.env);
    } catch (err) {
      await this.startFailed(r, faults.startFailed((err as Error).message));
      return;
    }
    await ev.emit(t, 'Normal', 'Started', msg.started(c.name));
    this.running(r, run, iso());
    if (!r.init && outcome.image.evictAfterSeconds !== undefined) {
      clearTimeout(this.evictTimer);
      this.evictTimer = setTimeout(() => void this.evict(), outcome.image.evictAfterSeconds * 1000);
    }
  }

  /**
   * StartContainer failed (containerd: the container exited with 128 StartError); the kubelet shows
   * the sync error as the waiting reason (kubelet_pods.go convertToAPIContainerStatuses, reasonCache).
   */
  private async startFailed(r: ContainerRun, text: string): Promise<void> {
    await this.deps.events.emit(this.target(r), 'Warning', 'Failed', msg.error(text));
    const at = Date.now();
    r.finishedAt = at;
    r.lastState = {
      terminated: {
        exitCode: 128,
        reason: 'StartError',
        message: text,
        startedAt: new Date(0),
        finishedAt: iso(at) as unknown as Date,
        containerID: r.containerID,
      },
    };
    r.state = { waiting: { reason: 'RunContainerError', message: text } };
    r.ready = false;
    r.nextAttempt = at + PLEG_RELIST_MS;
    this.wakeAt(r.nextAttempt);
  }

  /** Node-pressure eviction: the event, the containers killed with a short grace, a Failed pod. */
  private async evict(): Promise<void> {
    if (this.terminating || this.terminal || this.gone) return;
    const usage: Record<string, number> = {};
    for (const r of this.runs.values()) {
      if (!r.run) continue;
      const img = pullOutcome(this.deps.catalog, r.spec.image ?? '');
      if (img.kind === 'exists') usage[r.spec.name] = img.image.memoryFootprint;
    }
    const { message, annotations } = memoryEviction(this.pod, usage);
    this.terminal = { kind: 'evicted', reason: faults.evictionReason, message };
    await this.deps.events.emit(this.target(), 'Warning', faults.evictionReason, message, { annotations });
    const stops: Promise<void>[] = [];
    for (const r of this.runs.values()) {
      if (!r.run) continue;
      await this.deps.events.emit(this.target(r), 'Normal', 'Killing', msg.killing(r.spec.name));
      stops.push(r.run.stop(EVICTION_GRACE_MS));
    }
    await Promise.all(stops);
    this.kick();
  }

  private running(r: ContainerRun, run: Running, startedAt: string): void {
    r.run = run;
    r.startedAt = startedAt;
    r.state = { running: { startedAt: startedAt as unknown as Date } };
    r.ready = !r.init;
    r.started = true;
    void run.exited.then((exit) => this.onExit(r, run, exit));
  }

  private onExit(r: ContainerRun, run: Running, exit: Exit & { reason?: string }): void {
    if (r.run !== run || this.terminating) return;
    r.run = undefined;
    const at = Date.now();
    r.finishedAt = at;
    const reason = exit.reason ?? (exit.exitCode === 0 ? 'Completed' : 'Error');
    r.state = {
      terminated: {
        exitCode: exit.exitCode,
        reason,
        startedAt: r.startedAt as unknown as Date,
        finishedAt: iso(at) as unknown as Date,
        containerID: r.containerID,
      },
    };
    r.ready = false;
    r.started = false;
    if (r.init && exit.exitCode === 0) r.done = true;
    this.kick();
  }

  /** Serialised per node like the kubelet's default image puller; fails or succeeds per the catalog. */
  private pull(
    outcome: Exclude<ReturnType<typeof pullOutcome>, { kind: 'invalid' }>,
  ): Promise<{ ok: true; pullMs: number; totalMs: number; size: number } | { ok: false; error: string }> {
    const queued = Date.now();
    const job = this.node.pullQueue.then(async () => {
      const began = Date.now();
      if (outcome.kind === 'fails') {
        await sleep(outcome.afterMs);
        return { ok: false as const, error: msg.grpc(outcome.grpcCode, outcome.desc) };
      }
      const pullMs = Math.round(outcome.image.pullSeconds * 1000 * (0.95 + Math.random() * 0.1));
      await sleep(pullMs);
      this.node.images.add(outcome.normalized);
      this.deps.imagesChanged();
      return {
        ok: true as const,
        pullMs: Date.now() - began,
        totalMs: Date.now() - queued,
        size: outcome.image.size,
      };
    });
    this.node.pullQueue = job.catch(() => undefined);
    return job;
  }

  /** What runs for the container: a crash, an OOM kill, the real single-user server, a web page, or nothing. */
  private async launch(r: ContainerRun, img: CatalogImage, env: Record<string, string>): Promise<Running> {
    const c = r.spec;
    const crashes = commandLines(c).some((l) => this.deps.catalog.crashCommands.includes(l));
    const memoryLimit = c.resources?.limits?.memory;
    const limit = memoryLimit === undefined ? Number.NaN : parseQuantity(memoryLimit);
    if (Number.isFinite(limit) && limit < img.memoryFootprint) return exitAfter(800, 137, 'OOMKilled');
    if (crashes) return exitAfter(100, 1);
    if (img.exitCode !== undefined) return exitAfter(200, img.exitCode);
    if (r.init) return exitAfter(300, 0);
    if (img.server === 'static-http') {
      const port = c.ports?.[0]?.containerPort ?? 80;
      const name = this.pod.metadata?.name ?? '';
      return startHttp(this.podIP ?? '127.0.0.1', port, nginxPage(name));
    }
    if (img.server === 'jupyterhub-singleuser') return this.launchSingleuser(c, env);
    return forever();
  }

  private async launchSingleuser(c: V1Container, env: Record<string, string>): Promise<Running> {
    let venv: string;
    try {
      venv = await this.deps.venv();
    } catch (err) {
      throw new Error(
        `exec: "jupyterhub-singleuser": executable file not found in $PATH (${(err as Error).message})`,
      );
    }
    const ip = this.podIP ?? '127.0.0.1';
    const { args, port: argPort } = singleuserArgs(c);
    let port = argPort;
    const serviceUrl = env.JUPYTERHUB_SERVICE_URL;
    if (serviceUrl) {
      try {
        const u = new URL(serviceUrl);
        port ??= u.port ? Number(u.port) : undefined;
        u.hostname = ip;
        env.JUPYTERHUB_SERVICE_URL = u.toString();
      } catch {
        // leave as given: the server will report it
      }
    }
    port ??= c.ports?.[0]?.containerPort ?? 8888;
    const home = join(this.dir, `${c.name}-home`);
    return startProcess({
      dir: this.dir,
      name: c.name,
      cwd: home,
      argv: [
        join(venv, 'bin', 'jupyterhub-singleuser'),
        ...args,
        `--ip=${ip}`,
        `--port=${port}`,
        '--allow-root',
      ],
      env: {
        PATH: `${join(venv, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
        LANG: 'C.UTF-8',
        ...env,
        HOME: home,
        JUPYTER_RUNTIME_DIR: join(home, '.local/share/jupyter/runtime'),
      },
    });
  }

  private async adopt(r: ContainerRun): Promise<void> {
    const outcome = pullOutcome(this.deps.catalog, r.spec.image ?? '');
    const startedAt = r.startedAt ?? iso();
    if (outcome.kind === 'exists' && outcome.image.server === 'jupyterhub-singleuser' && !r.init) {
      const proc = adoptProcess(this.dir, r.spec.name);
      if (proc) {
        this.running(r, proc, startedAt);
        return;
      }
      // The process ended while the simulated kubelet was down: the container exited.
      r.finishedAt = Date.now();
      r.state = {
        terminated: {
          exitCode: 137,
          reason: 'Error',
          startedAt: startedAt as unknown as Date,
          finishedAt: iso() as unknown as Date,
          containerID: r.containerID,
        },
      };
      return;
    }
    if (outcome.kind === 'exists' && outcome.image.server === 'static-http' && !r.init) {
      const port = r.spec.ports?.[0]?.containerPort ?? 80;
      const name = this.pod.metadata?.name ?? '';
      this.running(r, await startHttp(this.podIP ?? '127.0.0.1', port, nginxPage(name)), startedAt);
      return;
    }
    this.running(r, forever(), startedAt);
  }

  private async terminate(deletePod: boolean): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    clearTimeout(this.timer);
    clearTimeout(this.evictTimer);
    const graceS = Math.min(
      this.pod.metadata?.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30,
      this.pod.spec?.terminationGracePeriodSeconds ?? 30,
    );
    const graceMs = Math.min(graceS * 1000, MAX_GRACE_MS);
    const stops: Promise<void>[] = [];
    for (const r of this.runs.values()) {
      const run = r.run;
      if (!run) continue;
      if (deletePod)
        await this.deps.events.emit(this.target(r), 'Normal', 'Killing', msg.killing(r.spec.name));
      r.run = undefined;
      stops.push(run.stop(graceMs));
    }
    await Promise.all(stops);
    this.deps.ips.release(this.podIP);
    this.deps.pullBackoff.forget(`${this.uid}_`);
    this.deps.crashBackoff.forget(`${this.uid}_`);
    for (const k of this.deps.pullErrors.keys())
      if (k.startsWith(`${this.uid}_`)) this.deps.pullErrors.delete(k);
    if (deletePod) {
      const name = this.pod.metadata?.name ?? '';
      const namespace = this.pod.metadata?.namespace ?? 'default';
      try {
        await this.deps.core.deleteNamespacedPod({
          name,
          namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
        });
      } catch (err) {
        if (!isNotFound(err) && (err as { code?: number }).code !== 409) {
          this.deps.log(`delete ${namespace}/${name}: ${String(err)}`);
        }
      }
    }
    this.deps.events.forget(this.uid);
    this.gone = true;
  }

  private condition(type: string, ok: boolean, reason?: string, message?: string): V1PodCondition {
    const status = ok ? 'True' : 'False';
    const prev = this.conditionTimes.get(type);
    const time = prev && prev.status === status ? prev.time : iso();
    this.conditionTimes.set(type, { status, time });
    const c: Record<string, unknown> = { type, status, lastProbeTime: null, lastTransitionTime: time };
    if (!ok && reason) c.reason = reason;
    if (!ok && message) c.message = message;
    return c as unknown as V1PodCondition;
  }

  private containerStatus(r: ContainerRun): V1ContainerStatus {
    const s: Record<string, unknown> = {
      name: r.spec.name,
      image: r.imageShown,
      imageID: r.imageID,
      ready: r.ready,
      restartCount: r.restartCount,
      started: r.started,
      state: r.state,
      lastState: r.lastState,
    };
    if (r.containerID) s.containerID = r.containerID;
    return s as unknown as V1ContainerStatus;
  }

  /** The pod phase by the kubelet's rules (getPhase). */
  private phase(): string {
    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    const runs = [...this.runs.values()];
    const inits = runs.filter((r) => r.init);
    const failedInit = inits.some(
      (r) => r.done === false && r.state.terminated && r.state.terminated.exitCode !== 0,
    );
    if (failedInit && policy === 'Never') return 'Failed';
    if (inits.some((r) => !r.done)) return 'Pending';
    let waiting = 0;
    let running = 0;
    let stopped = 0;
    let failed = 0;
    for (const r of runs.filter((x) => !x.init)) {
      if (r.state.running) running++;
      else if (r.state.terminated) {
        stopped++;
        if (r.state.terminated.exitCode !== 0) failed++;
      } else if (r.lastState.terminated) stopped++;
      else waiting++;
    }
    if (waiting > 0) return 'Pending';
    if (running > 0) return 'Running';
    if (stopped > 0) {
      if (policy === 'Always') return 'Running';
      if (policy === 'OnFailure') return failed > 0 ? 'Running' : 'Succeeded';
      return failed > 0 ? 'Failed' : 'Succeeded';
    }
    return 'Pending';
  }

  private async writeStatus(): Promise<void> {
    if (this.terminating || this.terminal?.kind === 'restored') return;
    const scheduledCondition = this.pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (this.terminal?.kind === 'rejected') {
      // rejectPod: only phase, reason and message; conditions of other components are kept.
      await this.patchStatus({
        phase: 'Failed',
        reason: this.terminal.reason,
        message: faults.rejected(this.terminal.message),
        conditions: scheduledCondition ? [scheduledCondition] : [],
      });
      return;
    }
    const runs = [...this.runs.values()];
    const inits = runs.filter((r) => r.init);
    const mains = runs.filter((r) => !r.init);
    const unready = mains.filter((r) => !r.ready).map((r) => r.spec.name);
    const incomplete = inits.filter((r) => !r.done).map((r) => r.spec.name);
    const scheduled = scheduledCondition;
    const evicted = this.terminal?.kind === 'evicted' ? this.terminal : undefined;
    const conditions = evicted
      ? [
          {
            ...this.condition('DisruptionTarget', true),
            reason: faults.disruptionReason,
            message: evicted.message,
          } as V1PodCondition,
          this.condition('PodReadyToStartContainers', false),
          this.condition('Initialized', true),
          this.condition('Ready', false, faults.podFailedReason),
          this.condition('ContainersReady', false, faults.podFailedReason),
          ...(scheduled ? [scheduled] : []),
        ]
      : [
          this.condition('PodReadyToStartContainers', this.podIP !== undefined),
          this.condition(
            'Initialized',
            incomplete.length === 0,
            'ContainersNotInitialized',
            `containers with incomplete status: [${incomplete.join(' ')}]`,
          ),
          this.condition(
            'Ready',
            unready.length === 0,
            'ContainersNotReady',
            `containers with unready status: [${unready.join(' ')}]`,
          ),
          this.condition(
            'ContainersReady',
            unready.length === 0,
            'ContainersNotReady',
            `containers with unready status: [${unready.join(' ')}]`,
          ),
          ...(scheduled ? [scheduled] : []),
        ];
    const status: Record<string, unknown> = {
      phase: evicted ? 'Failed' : this.phase(),
      ...(evicted ? { reason: evicted.reason, message: evicted.message } : {}),
      conditions,
      hostIP: this.node.hostIP,
      hostIPs: [{ ip: this.node.hostIP }],
      startTime: this.startTime,
      containerStatuses: mains.map((r) => this.containerStatus(r)),
    };
    if (inits.length) status.initContainerStatuses = inits.map((r) => this.containerStatus(r));
    if (this.podIP) {
      status.podIP = this.podIP;
      status.podIPs = [{ ip: this.podIP }];
    }
    await this.patchStatus(status);
  }

  private async patchStatus(status: Record<string, unknown>): Promise<void> {
    const json = JSON.stringify(status);
    if (json === this.lastStatus) return;
    try {
      await this.deps.core.patchNamespacedPodStatus(
        {
          name: this.pod.metadata?.name ?? '',
          namespace: this.pod.metadata?.namespace ?? 'default',
          body: { status },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      this.lastStatus = json;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The page the nginx stand-in serves; names the pod so tests can tell pods apart. */
function nginxPage(pod: string): string {
  return `<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1><p>Served by testbed pod ${escapeHtml(pod)}.</p></body></html>\n`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A container that ends by itself after `ms` with `exitCode`. */
function exitAfter(ms: number, exitCode: number, reason?: string): Running {
  let stopNow: () => void = () => undefined;
  const exited = new Promise<Exit & { reason?: string }>((resolve) => {
    const t = setTimeout(() => resolve(reason ? { exitCode, reason } : { exitCode }), ms);
    stopNow = () => {
      clearTimeout(t);
      resolve({ exitCode: 143 });
    };
  });
  return { exited, stop: async () => stopNow() };
}

/** A container whose process just keeps running (no server of its own). */
function forever(): Running {
  let stopNow: () => void = () => undefined;
  const exited = new Promise<Exit>((resolve) => {
    stopNow = () => resolve({ exitCode: 143 });
  });
  return { exited, stop: async () => stopNow() };
}
