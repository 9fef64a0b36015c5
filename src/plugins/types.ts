// The callback contract between the service (src/kube, src/policy, src/actions) and site plugins
// (DESIGN section 5). A plugin may add advice or notes before the diagnosis is announced
// (onDiagnosis) and run side effects after a stop (onStop). A plugin never changes the decision.
import type { Advice, LocalizedText } from '../diagnosis/annotation.js';
import type { Diagnosis, PodLike } from '../diagnosis/types.js';

export interface PluginLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface SpawnRef {
  namespace: string;
  pod: string;
  uid: string;
  user: string;
  /** '' for the default server. */
  server: string;
}

export interface DiagnosisContext {
  readonly diagnosis: Readonly<Diagnosis>;
  readonly pod: Readonly<PodLike>;
  readonly spawn: Readonly<SpawnRef>;
  readonly log: PluginLogger;
  /** Aborted when the plugin's time is up; long work should honour it. */
  readonly signal: AbortSignal;
  addAdvice(advice: Advice): void;
  addNote(note: LocalizedText): void;
}

export interface StopContext {
  readonly diagnosis: Readonly<Diagnosis>;
  readonly pod: Readonly<PodLike>;
  readonly spawn: Readonly<SpawnRef>;
  readonly log: PluginLogger;
  readonly signal: AbortSignal;
  /**
   * How the spawn was ended: through the hub, by deleting the pod, `ended` before spawn-doctor
   * could cancel it (the user stopped it, or a newer spawn began), or `failed` (not at all).
   */
  readonly outcome: 'cancelled' | 'pod-deleted' | 'ended' | 'failed';
}

/** What a plugin module exports (all optional). */
export interface Plugin {
  name?: string;
  onDiagnosis?(ctx: DiagnosisContext): unknown | Promise<unknown>;
  onStop?(ctx: StopContext): unknown | Promise<unknown>;
}

/** What the service sees: all configured plugins (and the built-in advisor) behind one facade. */
export interface PluginHost {
  /** Runs every onDiagnosis with its timeout; never throws; returns what the plugins added. */
  runOnDiagnosis(input: {
    diagnosis: Diagnosis;
    pod: PodLike;
    spawn: SpawnRef;
  }): Promise<{ advice: Advice[]; notes: LocalizedText[] }>;
  /** Runs every onStop with its timeout; never throws. */
  runOnStop(input: {
    diagnosis: Diagnosis;
    pod: PodLike;
    spawn: SpawnRef;
    outcome: StopContext['outcome'];
  }): Promise<void>;
  close(): Promise<void>;
}
