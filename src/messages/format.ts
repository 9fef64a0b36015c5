// Human forms of resource amounts and of untrusted values inserted into texts.
import type { Lang } from '../diagnosis/annotation.js';
import type { ResourceMap } from '../diagnosis/types.js';

const BYTES = new Set(['memory', 'ephemeral-storage', 'storage']);
const UNITS: ReadonlyArray<[string, number]> = [
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

function num(value: number, lang: Lang): string {
  const rounded = Math.round(value * 100) / 100;
  const text = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(2).replace(/0+$/, '');
  return lang === 'cs' ? text.replace('.', ',') : text;
}

function isBytes(name: string): boolean {
  return BYTES.has(name) || name.startsWith('hugepages-');
}

/** `64 CPU`, `256 GiB`, `2× nvidia.com/gpu`; Czech uses a decimal comma. */
export function formatResource(name: string, value: number, lang: Lang = 'en'): string {
  if (!Number.isFinite(value)) return `? ${name}`;
  if (name === 'cpu') return `${num(value, lang)} CPU`;
  if (isBytes(name)) {
    for (const [unit, size] of UNITS)
      if (Math.abs(value) >= size) return `${num(value / size, lang)} ${unit}`;
    return `${num(value, lang)} B`;
  }
  if (name === 'pods') return lang === 'cs' ? `${num(value, lang)} podů` : `${num(value, lang)} pods`;
  return `${num(value, lang)}× ${name}`;
}

const NAMES: Record<Lang, Record<string, string>> = {
  en: { cpu: 'CPU', memory: 'memory', 'ephemeral-storage': 'local disk', pods: 'pod slots' },
  cs: { cpu: 'CPU', memory: 'paměť', 'ephemeral-storage': 'lokální disk', pods: 'místo pro pody' },
};

/** The resource's name for people: `memory` / `paměť`, GPU names as they are. */
export function resourceName(name: string, lang: Lang): string {
  return NAMES[lang][name] ?? name;
}

/** `64 CPU, 256 GiB` for the given names (all of `map` when names are omitted). */
export function formatResources(map: ResourceMap | undefined, lang: Lang, names?: readonly string[]): string {
  if (!map) return '';
  const keys = (names ?? Object.keys(map)).filter((k) => typeof map[k] === 'number');
  return keys.map((k) => formatResource(k, map[k] as number, lang)).join(', ');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g;

/** Untrusted text (from events) made safe to embed: no control characters, bounded length. */
export function value(v: unknown, max = 200): string {
  const raw = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  const s = raw.length > max * 2 ? raw.slice(0, max * 2) : raw;
  const flat = s.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
