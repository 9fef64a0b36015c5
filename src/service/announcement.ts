// Builds the wire annotation (DESIGN section 4) from a Diagnosis, the user texts and the advice of
// plugins. Whatever plugins return is validated; anything invalid is dropped, never sent.
import {
  type Advice,
  adviceSchema,
  type DiagnosisAnnotation,
  diagnosisAnnotationSchema,
  type LocalizedText,
} from '../diagnosis/annotation.js';
import type { Action, AttachmentEvidence, Diagnosis } from '../diagnosis/types.js';
import { attachingNote, describe, type SiteInfo } from '../messages/index.js';
import type { PullProgress } from '../policy/types.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const clipText = (t: LocalizedText, n = 4000): LocalizedText => ({ en: clip(t.en, n), cs: clip(t.cs, n) });

export interface Announcement {
  annotation: DiagnosisAnnotation;
  /** One plain English sentence: the Event's message. */
  sentence: string;
}

export function buildAnnotation(
  diagnosis: Diagnosis,
  action: Action,
  site: SiteInfo,
  extra: { advice?: Advice[]; notes?: LocalizedText[]; progress?: PullProgress } = {},
): Announcement {
  const text = describe(diagnosis, site) as ReturnType<typeof describe> & { advice?: Advice[] };
  const advice: Advice[] = [];
  for (const a of [...(text.advice ?? []), ...(extra.advice ?? []), ...(extra.notes ?? [])]) {
    const ok = adviceSchema.safeParse(a);
    if (ok.success && advice.length < 10) advice.push({ ...ok.data, ...clipText(ok.data) });
  }
  const annotation: DiagnosisAnnotation = {
    version: 1,
    category: diagnosis.category,
    action,
    severity: diagnosis.severity,
    title: clipText(text.title),
    detail: clipText(text.detail),
    advice,
    ...(site.contact ? { contact: clip(site.contact, 320) } : {}),
    ...(site.docs ? { docs: clip(site.docs, 2000) } : {}),
  };
  if (extra.progress) {
    const p: { imageSize?: number; etaSeconds?: number } = {};
    if (extra.progress.imageSize !== undefined) p.imageSize = extra.progress.imageSize;
    if (extra.progress.etaSeconds !== undefined) p.etaSeconds = extra.progress.etaSeconds;
    annotation.progress = p;
  }
  const checked = diagnosisAnnotationSchema.safeParse(annotation);
  // Only a bug in the texts could fail this; then send the bare diagnosis rather than nothing.
  const final = checked.success ? checked.data : { ...annotation, advice: [] };
  return { annotation: final, sentence: clip(text.sentence.replace(/\s+/g, ' ').trim(), 1000) };
}

/** The SpawnProgress note while a watched volume attaches (the pod is fine so far: category normal). */
export function attachingAnnotation(
  a: Pick<AttachmentEvidence, 'driver' | 'pv' | 'storageServer'>,
  site: SiteInfo,
): Announcement {
  const note = attachingNote(a);
  const annotation: DiagnosisAnnotation = {
    version: 1,
    category: 'normal',
    action: 'wait',
    severity: 'info',
    title: clipText(note.title),
    detail: clipText(note.detail),
    advice: [],
    ...(site.contact ? { contact: clip(site.contact, 320) } : {}),
    ...(site.docs ? { docs: clip(site.docs, 2000) } : {}),
  };
  return { annotation, sentence: clip(note.sentence, 1000) };
}

function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** The progress note's sentence: image, size and ETA when known. */
export function progressSentence(p: PullProgress): string {
  const parts = [`Downloading the image${p.image ? ` ${p.image}` : ''}`];
  if (p.imageSize) parts.push(`(${humanBytes(p.imageSize)})`);
  let s = parts.join(' ');
  if (p.elapsedSeconds !== undefined) s += `, ${p.elapsedSeconds} s so far`;
  if (p.etaSeconds !== undefined) s += `; about ${p.etaSeconds} s left, judging by earlier downloads`;
  return `${s}. This is normal for a large image; please wait.`;
}
