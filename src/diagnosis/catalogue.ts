// The category catalogue (DESIGN section 3): one entry per category with everything about it that
// is neither rule logic (src/diagnosis/rules/) nor text (src/messages/texts.ts, keyed by the same
// ids). Adding or changing a category is an edit here; the type system then asks for its texts.
// Category ids are a contract (tests, metrics, config, the CLI use them): never rename one.
import type { Action, Severity } from './types.js';

/** Which rule family produces the category (one module each under rules/). */
export type CategoryFamily =
  | 'image'
  | 'volume'
  | 'config'
  | 'scheduling'
  | 'runtime'
  | 'quota'
  | 'pod'
  | 'startup'
  | 'fallback';

export interface CategoryEntry {
  readonly id: string;
  readonly family: CategoryFamily;
  /** The default action; a site may override it per category in the config. */
  readonly action: Action;
  readonly severity: Severity;
  /** Seconds the decisive evidence must persist before acting on it. */
  readonly graceSeconds: number;
  /**
   * For `wait`: the longest wait before stopping (0 = no limit). For a category that `waitsForScaleUp`:
   * the longest wait while a cluster autoscaler reports a scale-up.
   */
  readonly budgetSeconds: number;
  /** A capacity snapshot refines the diagnosis (text alone cannot tell "busy now" from "never fits"). */
  readonly needsCapacity: boolean;
  /** A stop waits within the budget while the cluster autoscaler adds a node. */
  readonly waitsForScaleUp: boolean;
}

const entry = <const I extends string>(
  id: I,
  family: CategoryFamily,
  action: Action,
  severity: Severity,
  more: Partial<Omit<CategoryEntry, 'id' | 'family' | 'action' | 'severity'>> = {},
) =>
  ({
    id,
    family,
    action,
    severity,
    graceSeconds: 0,
    budgetSeconds: 0,
    needsCapacity: false,
    waitsForScaleUp: false,
    ...more,
  }) as const satisfies CategoryEntry;

export const CATALOGUE = [
  entry('image.pulling', 'image', 'wait', 'info'),
  entry('image.not_found', 'image', 'stop', 'error'),
  entry('image.access_denied', 'image', 'stop', 'error'),
  entry('image.invalid_name', 'image', 'stop', 'error'),
  entry('image.registry_unreachable', 'image', 'wait', 'warning', { budgetSeconds: 180 }),
  entry('volume.pvc_not_found', 'volume', 'stop', 'error'),
  entry('volume.pvc_pending', 'volume', 'wait', 'warning', { budgetSeconds: 120 }),
  entry('volume.sshfs_attach_failed', 'volume', 'stop', 'error'),
  entry('volume.sshfs_mount_failed', 'volume', 'stop', 'error'),
  entry('volume.mount_failed', 'volume', 'stop', 'error'),
  entry('volume.attach_failed', 'volume', 'stop', 'error'),
  entry('config.missing_reference', 'config', 'stop', 'error'),
  entry('scheduling.insufficient_resources', 'scheduling', 'stop', 'error', {
    budgetSeconds: 300,
    needsCapacity: true,
    waitsForScaleUp: true,
  }),
  entry('scheduling.unsatisfiable', 'scheduling', 'stop', 'error', { needsCapacity: true }),
  entry('scheduling.no_matching_node', 'scheduling', 'stop', 'error'),
  // Kubelet reports BackOff/CrashLoopBackOff only after restarts: no extra grace needed.
  entry('runtime.crash_loop', 'runtime', 'stop', 'error'),
  entry('runtime.oom_killed', 'runtime', 'stop', 'error'),
  entry('runtime.start_failed', 'runtime', 'stop', 'error'),
  entry('quota.exceeded', 'quota', 'stop', 'error'),
  entry('pod.evicted', 'pod', 'stop', 'error'),
  entry('sandbox.failed', 'pod', 'wait', 'warning', { budgetSeconds: 120 }),
  // A Warning that usually means nothing while the server starts (a readiness probe before the
  // server listens, trimmed DNS settings, a volume cache not yet filled): say so honestly, wait.
  entry('startup.benign_warning', 'startup', 'wait', 'info'),
  // The brief: "every other error → stop", but a lone warning may be transient; give it a moment.
  entry('unknown.warning', 'fallback', 'stop', 'warning', { graceSeconds: 30 }),
  entry('normal', 'fallback', 'none', 'info'),
] as const;

export type Category = (typeof CATALOGUE)[number]['id'];

/** The ids in catalogue order, as the non-empty tuple that schema enums want. */
export const CATEGORIES = CATALOGUE.map((e) => e.id) as unknown as readonly [Category, ...Category[]];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

const BY_ID: ReadonlyMap<string, CategoryEntry> = new Map(CATALOGUE.map((e) => [e.id, e]));

/** The catalogue entry of a category. */
export function categoryEntry(category: Category): CategoryEntry {
  return BY_ID.get(category)!;
}

/** The default action and severity of every category, as the classifier reports them. */
export const CATEGORY_DEFAULTS: Readonly<Record<Category, { action: Action; severity: Severity }>> =
  Object.fromEntries(CATALOGUE.map((e) => [e.id, { action: e.action, severity: e.severity }])) as Record<
    Category,
    { action: Action; severity: Severity }
  >;
