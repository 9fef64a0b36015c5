// Label selectors in their string form (`a=b,c!=d,e in (x,y),!f`): parsed once, matched locally.
// Used to validate config and to pick a hub for a pod without another API call.

export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type Selector = Requirement[];

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas outside parentheses. */
function terms(input: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim());
}

function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 317) throw new Error(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (!VALUE.test(value) || value.length > 63) throw new Error(`invalid label value "${value}"`);
  return value;
}

/** Throws an Error naming the bad term. An empty string selects everything. */
export function parseSelector(input: string): Selector {
  if (input.trim() === '') return [];
  return terms(input).map((term): Requirement => {
    if (term === '') throw new Error('empty term in selector');
    const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => checkValue(v.trim()));
      return { key: checkKey(set[1]!), op: set[2] as 'in' | 'notin', values };
    }
    const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (cmp) {
      return {
        key: checkKey(cmp[1]!),
        op: cmp[2] === '!=' ? 'neq' : 'eq',
        value: checkValue(cmp[3]!.trim()),
      };
    }
    if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim()), op: 'notexists' };
    return { key: checkKey(term), op: 'exists' };
  });
}

export function matchesSelector(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      default:
        return !has; // notexists
    }
  });
}

/** The canonical string form, as the API server wants it in `labelSelector=`. */
export function formatSelector(selector: Selector): string {
  return selector
    .map((r) => {
      switch (r.op) {
        case 'eq':
          return `${r.key}=${r.value}`;
        case 'neq':
          return `${r.key}!=${r.value}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.op} (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        default:
          return `!${r.key}`; // notexists
      }
    })
    .join(',');
}
