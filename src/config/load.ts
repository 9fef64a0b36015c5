// Loads the config: a YAML file (`--config` or SPAWN_DOCTOR_CONFIG), or nothing at all when the
// service runs as a JupyterHub managed service (JUPYTERHUB_API_URL + JUPYTERHUB_API_TOKEN).
// Every problem is reported with its path; the caller exits non-zero.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { mergePolicy } from '../policy/defaults.js';
import { type Config, configSchema, type HubConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`invalid config (${source}):\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(p))) out += out ? `.${String(p)}` : String(p);
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out || '(root)';
}

/** One line per problem, each starting with the path of the offending key. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => `${pathText([...issue.path, k])}: unknown key`).join('\n  - ');
    }
    return `${pathText(issue.path)}: ${issue.message}`;
  });
}

export type Env = Record<string, string | undefined>;

/** The hub of a managed service, from the variables JupyterHub sets for it. */
function managedHub(env: Env): HubConfig | undefined {
  if (!env.JUPYTERHUB_API_URL || !env.JUPYTERHUB_API_TOKEN) return undefined;
  return { name: 'jupyterhub', apiUrl: env.JUPYTERHUB_API_URL, tokenEnv: 'JUPYTERHUB_API_TOKEN' };
}

/** Where JupyterHub expects a managed service to listen (JUPYTERHUB_SERVICE_URL), if set. */
function managedListen(env: Env): { host: string; port: number } | undefined {
  if (!env.JUPYTERHUB_SERVICE_URL) return undefined;
  try {
    const u = new URL(env.JUPYTERHUB_SERVICE_URL);
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}

/** Validates parsed YAML (any shape) and fills defaults and the managed-service hub. */
export function parseConfig(raw: unknown, meta: { source: string; baseDir: string; env?: Env }): Config {
  const env = meta.env ?? {};
  const input = raw ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(meta.source, ['(root): must be a mapping of keys to values']);
  }
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(meta.source, formatIssues(result.error));
  const parsed = result.data;
  const hubs = parsed.hubs.length ? parsed.hubs : [managedHub(env)].filter((h): h is HubConfig => !!h);
  const listen = 'server' in input ? undefined : managedListen(env);
  const config: Config = {
    ...parsed,
    hubs,
    server: listen ? { ...parsed.server, ...listen } : parsed.server,
    categories: mergePolicy(parsed.categories),
    source: meta.source,
    baseDir: meta.baseDir,
  };
  const problems = checkHubs(config, env);
  if (problems.length) throw new ConfigError(meta.source, problems);
  return config;
}

/** Token sources must exist now: a missing token would only surface at the first stop. */
function checkHubs(config: Config, env: Env): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  config.hubs.forEach((hub, i) => {
    if (names.has(hub.name)) problems.push(`hubs[${i}].name: duplicate hub name "${hub.name}"`);
    names.add(hub.name);
    if (hub.tokenEnv && !env[hub.tokenEnv]) {
      problems.push(`hubs[${i}].tokenEnv: environment variable ${hub.tokenEnv} is not set`);
    }
    if (hub.tokenFile) {
      const file = isAbsolute(hub.tokenFile) ? hub.tokenFile : resolve(config.baseDir, hub.tokenFile);
      try {
        if (readFileSync(file, 'utf8').trim() === '') problems.push(`hubs[${i}].tokenFile: ${file} is empty`);
      } catch (err) {
        problems.push(
          `hubs[${i}].tokenFile: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        );
      }
    }
    if (!hub.tokenEnv && !hub.tokenFile && !env.JUPYTERHUB_API_TOKEN) {
      problems.push(`hubs[${i}]: give tokenFile or tokenEnv (or set JUPYTERHUB_API_TOKEN)`);
    }
  });
  if (config.leaderElection.enabled && !config.leaderElection.namespace && !env.POD_NAMESPACE) {
    problems.push('leaderElection.namespace: required when enabled (or set POD_NAMESPACE)');
  }
  return problems;
}

/** Parses YAML text; syntax errors are reported with line and column. */
export function parseConfigText(text: string, meta: { source: string; baseDir: string; env?: Env }): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      meta.source,
      doc.errors.map(
        (e) => `YAML ${e.linePos?.[0] ? `line ${e.linePos[0].line}: ` : ''}${e.message.split('\n')[0]}`,
      ),
    );
  }
  return parseConfig(doc.toJS(), meta);
}

/** The config path from the flag or SPAWN_DOCTOR_CONFIG; undefined for zero config. */
export function configPath(flag: string | undefined, env: Env): string | undefined {
  return flag || env.SPAWN_DOCTOR_CONFIG || undefined;
}

export function loadConfig(flag: string | undefined, env: Env = process.env): Config {
  const path = configPath(flag, env);
  if (!path) {
    return parseConfig(
      {},
      { source: managedHub(env) ? 'managed-service' : 'defaults', baseDir: process.cwd(), env },
    );
  }
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? err}`]);
  }
  return parseConfigText(text, { source: file, baseDir: dirname(file), env });
}

/** The effective config as plain data for printing: secrets are never in it (only where they live). */
export function effectiveConfig(config: Config): Record<string, unknown> {
  const { source: _s, baseDir: _b, ...rest } = config;
  return rest;
}
