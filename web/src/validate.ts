// A hand-written validator equivalent to `diagnosisAnnotationSchema` (src/diagnosis/annotation.ts).
// Why not import the zod schema: zod 4 adds ~450 kB (minified) to a bundle that is inlined into
// every spawn page; this is ~2 kB. test/unit/web/validate.test.ts checks, with generated input,
// that both accept and reject the same values and produce the same output.
import type { AdviceRequest, DiagnosisAnnotation, LocalizedText } from '../../src/diagnosis/annotation.js';
import { CATEGORIES, type Category } from '../../src/diagnosis/types.js';

type Result<T> = { ok: true; value: T } | { ok: false; path: string; message: string };

class Invalid extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown, path: string): Record<string, unknown> {
  if (!isRecord(v)) throw new Invalid(path, 'expected an object');
  return v;
}

function str(v: unknown, path: string, max: number, min = 0): string {
  if (typeof v !== 'string') throw new Invalid(path, 'expected a string');
  if (v.length > max) throw new Invalid(path, `longer than ${max} characters`);
  if (v.length < min) throw new Invalid(path, `shorter than ${min} characters`);
  return v;
}

function num(v: unknown, path: string, check: 'positive' | 'nonnegative' | 'int>=0'): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid(path, 'expected a finite number');
  if (check === 'positive' && !(v > 0)) throw new Invalid(path, 'expected a positive number');
  if (check === 'nonnegative' && !(v >= 0)) throw new Invalid(path, 'expected a non-negative number');
  if (check === 'int>=0' && !(Number.isSafeInteger(v) && v >= 0)) {
    throw new Invalid(path, 'expected a non-negative integer');
  }
  return v;
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Invalid(path, `expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function text(v: unknown, path: string): LocalizedText {
  const o = record(v, path);
  return { en: str(o.en, `${path}.en`, 4000), cs: str(o.cs, `${path}.cs`, 4000) };
}

function request(v: unknown, path: string): AdviceRequest {
  const o = record(v, path);
  return {
    cpu: num(o.cpu, `${path}.cpu`, 'positive'),
    memory: num(o.memory, `${path}.memory`, 'positive'),
    gpu: str(o.gpu, `${path}.gpu`, 253, 1),
    gpu_count: num(o.gpu_count, `${path}.gpu_count`, 'int>=0'),
  };
}

function annotation(v: unknown): DiagnosisAnnotation {
  const o = record(v, '');
  if (o.version !== 1) throw new Invalid('version', 'expected 1');
  const out: DiagnosisAnnotation = {
    version: 1,
    category: oneOf<Category>(o.category, 'category', CATEGORIES),
    action: oneOf(o.action, 'action', ['wait', 'notify', 'stop', 'none'] as const),
    severity: oneOf(o.severity, 'severity', ['info', 'warning', 'error'] as const),
    title: text(o.title, 'title'),
    detail: text(o.detail, 'detail'),
    advice: [],
  };
  if (o.advice !== undefined) {
    if (!Array.isArray(o.advice)) throw new Invalid('advice', 'expected an array');
    if (o.advice.length > 10) throw new Invalid('advice', 'more than 10 items');
    out.advice = o.advice.map((a, i) => {
      const t = text(a, `advice.${i}`);
      const r = record(a, `advice.${i}`).request;
      return r === undefined ? t : { ...t, request: request(r, `advice.${i}.request`) };
    });
  }
  if (o.contact !== undefined) out.contact = str(o.contact, 'contact', 320);
  if (o.docs !== undefined) out.docs = str(o.docs, 'docs', 2000);
  if (o.progress !== undefined) {
    const p = record(o.progress, 'progress');
    const progress: NonNullable<DiagnosisAnnotation['progress']> = {};
    if (p.imageSize !== undefined) progress.imageSize = num(p.imageSize, 'progress.imageSize', 'nonnegative');
    if (p.etaSeconds !== undefined)
      progress.etaSeconds = num(p.etaSeconds, 'progress.etaSeconds', 'nonnegative');
    out.progress = progress;
  }
  return out;
}

/** Validates parsed JSON against the annotation contract; unknown keys are dropped. */
export function validateAnnotation(value: unknown): Result<DiagnosisAnnotation> {
  try {
    return { ok: true, value: annotation(value) };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, path: err.path || '(root)', message: err.message };
    throw err;
  }
}
