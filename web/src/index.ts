// The browser bundle: defines <spawn-diagnosis> and exports the pieces custom frontends use.
import { define } from './element.js';

export { SpawnDiagnosisElement, define, EVENT_PREFIX } from './element.js';
export { interpret, interpretData, isSpawnDoctorEvent, parseAnnotation, podOf } from './events.js';
export type { Interpreted, ProgressMessage, RawEvent } from './events.js';
export { pickLang } from './i18n.js';
export { recall } from './memory.js';

define();
