// The last diagnosis per server, kept in sessionStorage so that the hub's "Server not running"
// page (shown after a reload) can still say what went wrong. Values are re-validated on read:
// storage is writable by any script of the origin and may hold an older format.
import type { DiagnosisAnnotation } from '../../src/diagnosis/annotation.js';
import type { ServerRef } from './links.js';
import { validateAnnotation } from './validate.js';

export interface Remembered {
  annotation: DiagnosisAnnotation;
  pod: { name: string; namespace: string; uid: string };
  /** ISO time of the diagnosis event. */
  at: string;
  /** The failed spawn's user_options, so a suggestion can start the same image again. */
  userOptions?: Record<string, unknown>;
}

/** The subset of the Web Storage API we use (sessionStorage in the page, a Map in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryKey(ref: Pick<ServerRef, 'user' | 'server'>): string {
  return `spawn-doctor:diagnosis:${ref.user}/${ref.server}`;
}

export function remember(
  store: KeyValueStore,
  ref: Pick<ServerRef, 'user' | 'server'>,
  value: Remembered,
): void {
  try {
    store.setItem(memoryKey(ref), JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the card still shows now; only the reload loses it.
  }
}

export function forget(store: KeyValueStore, ref: Pick<ServerRef, 'user' | 'server'>): void {
  try {
    store.removeItem(memoryKey(ref));
  } catch {
    // as above
  }
}

export function recall(
  store: KeyValueStore,
  ref: Pick<ServerRef, 'user' | 'server'>,
): Remembered | undefined {
  let text: string | null;
  try {
    text = store.getItem(memoryKey(ref));
  } catch {
    return undefined;
  }
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const checked = validateAnnotation(r.annotation);
  if (!checked.ok) return undefined;
  const pod = (typeof r.pod === 'object' && r.pod !== null ? r.pod : {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  const at = s(r.at);
  if (Number.isNaN(new Date(at).getTime())) return undefined;
  const out: Remembered = {
    annotation: checked.value,
    pod: { name: s(pod.name), namespace: s(pod.namespace), uid: s(pod.uid) },
    at,
  };
  if (typeof r.userOptions === 'object' && r.userOptions !== null && !Array.isArray(r.userOptions)) {
    out.userOptions = r.userOptions as Record<string, unknown>;
  }
  return out;
}
