// The advisor's node label filter (`cerit.io/jupyter-workload=true`, comma-separated): equality,
// inequality, existence (`key`) and absence (`!key`). Set-based selectors are not needed here.
export type Requirement =
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'exists' | 'absent' };

const KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?$/;

/** Parses the filter; throws with the offending part, so a config typo is a clear startup error. */
export function parseNodeFilter(filter: string): Requirement[] {
  const out: Requirement[] = [];
  for (const raw of filter.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (m) {
      const [, key = '', op, value = ''] = m;
      if (!KEY.test(key) || !VALUE.test(value)) throw new Error(`node filter: cannot parse "${part}"`);
      out.push({ key, op: op === '!=' ? '!=' : '=', value });
    } else if (part.startsWith('!') && KEY.test(part.slice(1).trim())) {
      out.push({ key: part.slice(1).trim(), op: 'absent' });
    } else if (KEY.test(part)) {
      out.push({ key: part, op: 'exists' });
    } else {
      throw new Error(`node filter: cannot parse "${part}"`);
    }
  }
  return out;
}

export function matchesFilter(labels: Record<string, string>, reqs: readonly Requirement[]): boolean {
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (r.op === 'exists') return has;
    if (r.op === 'absent') return !has;
    if (r.op === '=') return has && labels[r.key] === r.value;
    if (r.op === '!=') return !has || labels[r.key] !== r.value;
    return false;
  });
}

/** The filter in the API server's label selector syntax (server-side pre-filtering). */
export function toLabelSelector(reqs: readonly Requirement[]): string {
  return reqs
    .map((r) => {
      switch (r.op) {
        case 'exists':
          return r.key;
        case 'absent':
          return `!${r.key}`;
        default:
          return `${r.key}${r.op}${r.value}`;
      }
    })
    .join(',');
}
