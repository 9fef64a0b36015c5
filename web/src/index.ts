// The browser bundle: defines <spawn-diagnosis> and exports the pieces custom frontends use.
import { define } from './element.js';

export { define, EVENT_PREFIX, SpawnDiagnosisElement } from './element.js';
export type { Interpreted, ProgressMessage, RawEvent } from './events.js';
export { interpret, interpretData, isSpawnDoctorEvent, parseAnnotation, podOf } from './events.js';
export { pickLang } from './i18n.js';
export { recall } from './memory.js';
export { EMPTY_POD_MESSAGES, keepCurrentPod, type PodMessages } from './pods.js';

define();
