// Policy: pure decisions over diagnoses; no I/O.

export { decide, lastProgress } from './decide.js';
export { DEFAULT_POLICY, mergePolicy } from './defaults.js';
export { PullStats, parseGoDuration, parsePulled } from './pull-stats.js';
export type { Decision, PolicyInput, PullProgress, SpawnTimeline } from './types.js';
