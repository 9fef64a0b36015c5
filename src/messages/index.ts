// User-facing texts per category (English and Czech). Early version; full texts land next.
import type { LocalizedText } from '../diagnosis/annotation.js';
import type { Diagnosis } from '../diagnosis/types.js';

export interface SiteInfo {
  contact?: string;
  docs?: string;
}

export const DEFAULT_CONTACT = 'support@example.org';
export const DEFAULT_DOCS = 'https://docs.example.org/jupyterhub';

export function formatResource(name: string, value: number): string {
  return `${value} ${name}`;
}

export function describe(
  d: Diagnosis,
  _site: SiteInfo = {},
): { title: LocalizedText; detail: LocalizedText; sentence: string } {
  return {
    title: { en: 'Oops, something went wrong', cs: 'Jejda, něco se pokazilo' },
    detail: { en: d.category, cs: d.category },
    sentence: 'Oops, something went wrong.',
  };
}
