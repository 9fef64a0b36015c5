// User-facing texts: title and detail per category in English and Czech, parameters filled in, and
// one plain English sentence for the Kubernetes Event's `message`. Plain text only, never HTML.
import type { Lang, LocalizedText } from '../diagnosis/annotation.js';
import { CATEGORY_DEFAULTS } from '../diagnosis/catalogue.js';
import { type Category, type Diagnosis, isCategory } from '../diagnosis/types.js';
import { value } from './format.js';
import { TEXTS } from './texts.js';

export { type AttachingNote, attachingNote } from './attaching.js';
export { formatResource, formatResources, resourceName } from './format.js';

export interface SiteInfo {
  contact?: string;
  docs?: string;
}

/** Placeholders only: a site configures its own address and documentation. */
export const DEFAULT_CONTACT = 'support@example.org';
export const DEFAULT_DOCS = 'https://docs.example.org/spawn-doctor';

export interface Description {
  title: LocalizedText;
  detail: LocalizedText;
  sentence: string;
}

const MORE: Record<Lang, string> = { en: 'More information:', cs: 'Více informací:' };

function firstSentence(text: string): string {
  const m = /^[\s\S]*?[.!?](?=\s|$)/.exec(text);
  return (m ? m[0] : text).trim();
}

/**
 * Texts for a diagnosis. Total: an unknown category or missing params still give readable text
 * (the generic "Oops" one). The docs link is appended only when the site configured one.
 */
export function describe(d: Diagnosis, site: SiteInfo = {}): Description {
  const category: Category = isCategory(d?.category) ? d.category : 'unknown.warning';
  const params = d?.params && typeof d.params === 'object' ? d.params : {};
  const contact = value(site.contact, 320) || DEFAULT_CONTACT;
  const docs = value(site.docs, 2000);
  const render = (lang: Lang) => {
    const t = TEXTS[category][lang]({ p: params, contact, lang });
    const showDocs = docs && CATEGORY_DEFAULTS[category].action !== 'none';
    return { title: t.title, detail: showDocs ? `${t.detail} ${MORE[lang]} ${docs}` : t.detail };
  };
  const en = render('en');
  const cs = render('cs');
  return {
    title: { en: en.title, cs: cs.title },
    detail: { en: en.detail, cs: cs.detail },
    sentence: firstSentence(en.detail),
  };
}
