// Image references parsed the way the kubelet does before pulling (the distribution
// reference grammar with Docker Hub normalisation), so that malformed names fail with the
// same words and equivalent spellings (`nginx:1.27`, `docker.io/library/nginx:1.27`) match.

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;

export interface ImageReference {
  /** Registry host, e.g. `docker.io`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  path: string;
  tag?: string;
  digest?: string;
  /** Fully qualified `domain/path[:tag][@digest]`, tag defaulted to `latest` without a digest. */
  normalized: string;
}

export type ParseResult = { ok: true; ref: ImageReference } | { ok: false; error: string };

function splitDockerDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  if (slash < 0) return ['docker.io', `library/${name}`];
  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (maybeDomain === 'localhost') [domain, remainder] = [maybeDomain, rest];
  else if (maybeDomain === 'index.docker.io') [domain, remainder] = ['docker.io', rest];
  else if (/[.:]/.test(maybeDomain)) [domain, remainder] = [maybeDomain, rest];
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remainder] = [maybeDomain, rest];
  else [domain, remainder] = ['docker.io', name];
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return [domain, remainder];
}

/** Parses like ParseNormalizedNamed; the error text is the library's. */
export function parseImageReference(input: string): ParseResult {
  if (IDENTIFIER.test(input)) {
    return {
      ok: false,
      error: `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`,
    };
  }
  const [domain, remainder] = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) {
    return { ok: false, error: `invalid reference format: repository name (${remote}) must be lowercase` };
  }
  const full = `${domain}/${remainder}`;
  const m = REFERENCE.exec(full);
  if (!m) {
    if (full === '') return { ok: false, error: 'repository name must have at least one component' };
    if (REFERENCE.test(full.toLowerCase())) return { ok: false, error: 'repository name must be lowercase' };
    return { ok: false, error: 'invalid reference format' };
  }
  const name = m[1] ?? '';
  const nm = ANCHORED_NAME.exec(name);
  const path = nm?.[2] ?? name;
  if (path.length > 255) return { ok: false, error: 'repository name must not be more than 255 characters' };
  const tag = m[2];
  const digest = m[3];
  const shownTag = tag ?? (digest ? undefined : 'latest');
  const normalized = `${nm?.[1] ?? domain}/${path}${shownTag ? `:${shownTag}` : ''}${digest ? `@${digest}` : ''}`;
  return { ok: true, ref: { domain: nm?.[1] ?? domain, path, tag, digest, normalized } };
}

/** The kubelet appends `:latest` to a reference without tag or digest before pulling. */
export function withDefaultTag(input: string, ref: ImageReference): string {
  return ref.tag || ref.digest ? input : `${input}:latest`;
}
