// Links built from event data. Only two shapes ever become an href: a mailto: to something that
// looks like one e-mail address, and an http(s) URL. Everything else is shown as text.

const EMAIL =
  /^[^\s@?&#%<>"'`/\\:;,()[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** `mailto:` with subject and body encoded; undefined when `address` is not a plain address. */
export function buildMailto(address: string, subject: string, body: string): string | undefined {
  const a = address.trim().replace(/^mailto:/i, '');
  if (!isEmail(a)) return undefined;
  // The address part stays literal (it passed the strict check); RFC 6068 wants %-encoded fields.
  return `mailto:${a}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

/** An absolute http(s) URL, normalised, or undefined (javascript:, data:, relative, garbage). */
export function safeHttpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
}

/** JupyterHub's URL path segment for a server: '' is the default server. */
export interface ServerRef {
  baseUrl: string;
  user: string;
  server: string;
}

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

/** `{base}api/users/{user}/server` or `.../servers/{name}`: start (POST) and progress. */
export function serverApiUrl(ref: ServerRef): string {
  const u = encodeURIComponent(ref.user);
  return ref.server
    ? `${withSlash(ref.baseUrl)}api/users/${u}/servers/${encodeURIComponent(ref.server)}`
    : `${withSlash(ref.baseUrl)}api/users/${u}/server`;
}

export function progressUrl(ref: ServerRef): string {
  return `${serverApiUrl(ref)}/progress`;
}

export function spawnUrl(ref: ServerRef): string {
  const tail = ref.server ? `/${encodeURIComponent(ref.server)}` : '';
  return `${withSlash(ref.baseUrl)}spawn/${encodeURIComponent(ref.user)}${tail}`;
}

export function spawnPendingUrl(ref: ServerRef): string {
  const tail = ref.server ? `/${encodeURIComponent(ref.server)}` : '';
  return `${withSlash(ref.baseUrl)}spawn-pending/${encodeURIComponent(ref.user)}${tail}`;
}

/** The XSRF token the hub's own JS uses: `window.jhdata.xsrf_token`, else the `_xsrf` cookie. */
export function xsrfToken(jhdata: unknown, cookie: string): string | undefined {
  if (typeof jhdata === 'object' && jhdata !== null) {
    const t = (jhdata as { xsrf_token?: unknown }).xsrf_token;
    if (typeof t === 'string' && t) return t;
  }
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === '_xsrf' && v.length) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
