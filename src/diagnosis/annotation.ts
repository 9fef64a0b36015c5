// The wire contract of DESIGN section 4: the JSON in the `spawn-doctor/diagnosis` annotation of
// the SpawnDiagnosis / SpawnProgress Event. The service writes it, the spawn page reads it.
// Everything in it is plain text; a reader never renders any of it as HTML.
import { z } from 'zod';
import { CATEGORIES } from './types.js';

export const ANNOTATION_KEY = 'spawn-doctor/diagnosis';
export const DIAGNOSIS_REASON = 'SpawnDiagnosis';
export const PROGRESS_REASON = 'SpawnProgress';
export const COMPONENT = 'spawn-doctor';

const text = z.object({ en: z.string().max(4000), cs: z.string().max(4000) });

/** A resource request in the demo form's `user_options` units: cpu cores, memory GiB. */
export const adviceRequestSchema = z.object({
  cpu: z.number().positive().finite(),
  memory: z.number().positive().finite(),
  gpu: z.string().min(1).max(253), // an extended resource name or 'none'
  gpu_count: z.number().int().min(0),
});

export const adviceSchema = text.extend({ request: adviceRequestSchema.optional() });

export const diagnosisAnnotationSchema = z.object({
  version: z.literal(1),
  category: z.enum(CATEGORIES),
  action: z.enum(['wait', 'notify', 'stop', 'none']),
  severity: z.enum(['info', 'warning', 'error']),
  title: text,
  detail: text,
  advice: z.array(adviceSchema).max(10).default([]),
  contact: z.string().max(320).optional(),
  docs: z.string().max(2000).optional(),
  /** For SpawnProgress notes: pull progress, when known. */
  progress: z
    .object({
      imageSize: z.number().nonnegative().optional(),
      etaSeconds: z.number().nonnegative().optional(),
    })
    .optional(),
});

export type AdviceRequest = z.infer<typeof adviceRequestSchema>;
export type Advice = z.infer<typeof adviceSchema>;
export type DiagnosisAnnotation = z.infer<typeof diagnosisAnnotationSchema>;
export type LocalizedText = z.infer<typeof text>;
export type Lang = 'en' | 'cs';
export const LANGS: readonly Lang[] = ['en', 'cs'];
