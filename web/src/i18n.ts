// Language choice and the component's own texts. Texts from the service arrive already
// translated in the annotation ({en, cs}); these are only the frame around them.
import type { Category } from '../../src/diagnosis/types.js';

export type Lang = 'en' | 'cs';

/**
 * Czech when the page is Czech or the browser prefers Czech over English; English otherwise.
 * JupyterHub's stock page always says `<html lang="en">`, so an English page does not outvote
 * a Czech browser; an explicit `lang` on the element (`explicit`) wins over both.
 */
export function pickLang(
  explicit: string | null | undefined,
  pageLang: string | null | undefined,
  browserLangs: readonly string[],
): Lang {
  const base = (tag: string | null | undefined) => (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  const known = (tag: string | null | undefined): Lang | undefined => {
    const b = base(tag);
    return b === 'cs' || b === 'en' ? b : undefined;
  };
  const fromExplicit = known(explicit);
  if (fromExplicit) return fromExplicit;
  if (known(pageLang) === 'cs') return 'cs';
  for (const tag of browserLangs) {
    const k = known(tag);
    if (k) return k;
    // Slovak readers understand Czech better than English; the brief's operators are Slovak too.
    if (base(tag) === 'sk') return 'cs';
  }
  return 'en';
}

export interface Strings {
  heading: string;
  progressHeading: string;
  whatToDo: string;
  retryWith: (summary: string) => string;
  starting: string;
  startFailed: (why: string) => string;
  tryAgain: string;
  contact: string;
  docs: string;
  details: string;
  mailSubject: (pod: string) => string;
  mailBody: (fields: {
    pod: string;
    namespace: string;
    time: string;
    category: string;
    title: string;
  }) => string;
  downloading: (size: string | undefined, eta: string | undefined) => string;
  patience: string;
  remembered: (time: string) => string;
  dismiss: string;
}

const EN: Strings = {
  heading: 'Oops, something went wrong',
  progressHeading: 'Hang on, your server is on its way',
  whatToDo: 'What you can do',
  retryWith: (s) => `Start again with ${s}`,
  starting: 'Starting…',
  startFailed: (why) => `The server could not be started again: ${why}`,
  tryAgain: 'Try again',
  contact: 'Write to support',
  docs: 'Documentation',
  details: 'Technical details',
  mailSubject: (pod) => `JupyterHub: my server did not start (${pod})`,
  mailBody: (f) =>
    `Hello,\n\nmy notebook server did not start.\n\nWhat the page said: ${f.title}\nPod: ${f.pod}\nNamespace: ${f.namespace}\nTime: ${f.time}\nCategory: ${f.category}\n\nThank you.`,
  downloading: (size, eta) =>
    `${size ? `Downloading a ${size} image` : 'Downloading the image'}${eta ? `, ${eta}` : ''}.`,
  patience: 'This is normal for large images; please keep this page open.',
  remembered: (time) => `The last attempt to start this server failed (${time}).`,
  dismiss: 'Hide',
};

const CS: Strings = {
  heading: 'Jejda, něco se pokazilo',
  progressHeading: 'Vydržte, server je na cestě',
  whatToDo: 'Co můžete udělat',
  retryWith: (s) => `Spustit znovu s ${s}`,
  starting: 'Spouštím…',
  startFailed: (why) => `Server se nepodařilo znovu spustit: ${why}`,
  tryAgain: 'Zkusit znovu',
  contact: 'Napsat podpoře',
  docs: 'Dokumentace',
  details: 'Technické podrobnosti',
  mailSubject: (pod) => `JupyterHub: můj server se nespustil (${pod})`,
  mailBody: (f) =>
    `Dobrý den,\n\nmůj notebook server se nespustil.\n\nCo stránka napsala: ${f.title}\nPod: ${f.pod}\nNamespace: ${f.namespace}\nČas: ${f.time}\nKategorie: ${f.category}\n\nDěkuji.`,
  downloading: (size, eta) =>
    `${size ? `Stahuje se obraz o velikosti ${size}` : 'Stahuje se obraz'}${eta ? `, ${eta}` : ''}.`,
  patience: 'U velkých obrazů je to normální; nechte prosím tuto stránku otevřenou.',
  remembered: (time) => `Poslední pokus o spuštění tohoto serveru selhal (${time}).`,
  dismiss: 'Skrýt',
};

export function strings(lang: Lang): Strings {
  return lang === 'cs' ? CS : EN;
}

/** A friendlier heading for families where we can say more than "something went wrong". */
export function headingFor(category: Category, lang: Lang): string {
  const family = category.split('.')[0];
  const byFamily: Record<string, { en: string; cs: string }> = {
    scheduling: {
      en: 'Oops, there is no room for your server right now',
      cs: 'Jejda, pro váš server teď není místo',
    },
    quota: { en: 'Oops, your quota is used up', cs: 'Jejda, vaše kvóta je vyčerpaná' },
  };
  const specific = family ? byFamily[family] : undefined;
  if (specific) return specific[lang];
  return strings(lang).heading;
}

/** Image sizes in decimal units, as registries and `crictl` report them. */
export function formatBytes(bytes: number, lang: Lang): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const number = new Intl.NumberFormat(lang === 'cs' ? 'cs-CZ' : 'en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
  return `${number} ${units[unit]}`;
}

/** Czech has three plural forms: 1, 2–4, and the rest. */
function czechPlural(n: number, one: string, few: string, many: string): string {
  if (n === 1) return one;
  if (n >= 2 && n <= 4) return few;
  return many;
}

/** "about 2 minutes left" / "zbývají asi 2 minuty"; rounded, never falsely precise. */
export function formatEta(seconds: number, lang: Lang): string {
  if (seconds < 60) return lang === 'cs' ? 'zbývá méně než minuta' : 'less than a minute left';
  if (seconds < 3600) {
    const m = Math.round(seconds / 60);
    if (lang === 'cs')
      return `${czechPlural(m, 'zbývá', 'zbývají', 'zbývá')} asi ${m} ${czechPlural(m, 'minuta', 'minuty', 'minut')}`;
    return `about ${m} ${m === 1 ? 'minute' : 'minutes'} left`;
  }
  const h = Math.round(seconds / 360) / 10;
  const hs = new Intl.NumberFormat(lang === 'cs' ? 'cs-CZ' : 'en-US', { maximumFractionDigits: 1 }).format(h);
  if (lang === 'cs') return `zbývá asi ${hs} h`;
  return `about ${hs} ${h === 1 ? 'hour' : 'hours'} left`;
}

/** "4 CPU, 16 GiB memory, 1× nvidia.com/gpu" for a resource suggestion button. */
export function formatRequest(
  r: { cpu: number; memory: number; gpu: string; gpu_count: number },
  lang: Lang,
): string {
  const nf = new Intl.NumberFormat(lang === 'cs' ? 'cs-CZ' : 'en-US', { maximumFractionDigits: 2 });
  const parts = [
    `${nf.format(r.cpu)} CPU`,
    `${nf.format(r.memory)} GiB ${lang === 'cs' ? 'paměti' : 'memory'}`,
  ];
  if (r.gpu !== 'none' && r.gpu_count > 0) parts.push(`${r.gpu_count}× ${r.gpu}`);
  else parts.push(lang === 'cs' ? 'bez GPU' : 'no GPU');
  return parts.join(', ');
}

/** A local, readable time for the card and the support e-mail. */
export function formatTime(at: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'cs' ? 'cs-CZ' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
  }).format(at);
}
