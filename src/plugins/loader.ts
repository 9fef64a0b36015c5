// Loads the configured plugin modules (JavaScript/TypeScript files relative to the config file, or
// package names) and, when `advisor.enabled`, the built-in advisor — first, so its advice leads.
// A module that cannot be loaded is a startup error with the module named, never a silent skip.
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createCapacityProvider } from '../advice/capacity/index.js';
import type { CapacityProvider } from '../advice/capacity/types.js';
import type { AdvisorConfig } from '../advice/config.js';
import { LlmAdvisor } from '../advice/llm.js';
import { ADVISOR_PLUGIN_NAME, createAdvisorPlugin } from '../advice/plugin.js';
import type { PluginConfig, PluginsConfig } from './config.js';
import { createPluginHost, type LoadedPlugin } from './host.js';
import type { Plugin, PluginHost, PluginLogger } from './types.js';

export interface PluginHostConfig {
  plugins: PluginsConfig;
  advisor: AdvisorConfig;
  /** Directory relative module paths and key files resolve against (the config file's). */
  baseDir: string;
}

export interface PluginHostDeps {
  logger: Logger;
  registry: Registry;
  /** For the advisor's Kubernetes capacity source; the default kubeconfig otherwise. */
  kubeConfig?: k8s.KubeConfig;
  /** Replaces the configured capacity source (tests, benchmarks). */
  capacityProvider?: CapacityProvider;
  env?: NodeJS.ProcessEnv;
}

/** What a plugin factory receives besides its options. */
export interface PluginFactoryContext {
  name: string;
  log: PluginLogger;
  baseDir: string;
}

export type PluginFactory = (
  options: Record<string, unknown>,
  ctx: PluginFactoryContext,
) => Plugin | Promise<Plugin>;

export class PluginLoadError extends Error {
  constructor(module: string, reason: string, options?: { cause?: unknown }) {
    super(`plugin "${module}": ${reason}`, options);
    this.name = 'PluginLoadError';
  }
}

const FILE_LIKE = /^(\.{1,2}[\\/]|[\\/])|\.(m?[jt]s|cjs)$/;

export function isFileSpecifier(spec: string): boolean {
  return FILE_LIKE.test(spec) || path.isAbsolute(spec);
}

async function importTypeScript(url: string): Promise<unknown> {
  // Node 20 cannot import .ts itself; tsx's API does it when tsx is installed next to the service.
  let api: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    api = (await import('tsx/esm/api' as string)) as typeof api;
  } catch (err) {
    throw new Error('a TypeScript plugin needs the "tsx" package (or compile the plugin to JavaScript)', {
      cause: err,
    });
  }
  return api.tsImport(url, import.meta.url);
}

async function importModule(spec: string, baseDir: string): Promise<unknown> {
  if (isFileSpecifier(spec)) {
    const file = path.resolve(baseDir, spec);
    try {
      await access(file);
    } catch {
      throw new PluginLoadError(spec, `file not found: ${file}`);
    }
    const url = pathToFileURL(file).href;
    try {
      return await import(url);
    } catch (err) {
      const code = (err as { code?: string })?.code;
      if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.m?ts$/.test(file)) {
        try {
          return await importTypeScript(url);
        } catch (tsErr) {
          throw new PluginLoadError(spec, (tsErr as Error).message, { cause: tsErr });
        }
      }
      throw new PluginLoadError(spec, `cannot import ${file}: ${(err as Error)?.message ?? err}`, {
        cause: err,
      });
    }
  }
  // A package: resolved from the config's directory first (a site's own node_modules), then ours.
  let target = spec;
  try {
    target = pathToFileURL(createRequire(path.join(baseDir, 'noop.js')).resolve(spec)).href;
  } catch {
    // fall through to a bare import
  }
  try {
    return await import(target);
  } catch (err) {
    throw new PluginLoadError(spec, `cannot import package: ${(err as Error)?.message ?? err}`, {
      cause: err,
    });
  }
}

function isPlugin(v: unknown): v is Plugin {
  if (!v || typeof v !== 'object') return false;
  const p = v as Plugin;
  return typeof p.onDiagnosis === 'function' || typeof p.onStop === 'function';
}

/**
 * Accepted shapes: `export default plugin`, `export default (options, ctx) => plugin`,
 * `export function createPlugin(options, ctx)`, or named `onDiagnosis` / `onStop` exports.
 */
async function toPlugin(mod: unknown, cfg: PluginConfig, ctx: PluginFactoryContext): Promise<Plugin> {
  const m = (mod ?? {}) as Record<string, unknown>;
  const factory =
    typeof m.default === 'function'
      ? m.default
      : typeof m.createPlugin === 'function'
        ? m.createPlugin
        : undefined;
  let candidate: unknown;
  if (factory) {
    try {
      candidate = await (factory as PluginFactory)(cfg.options, ctx);
    } catch (err) {
      throw new PluginLoadError(cfg.module, `its factory failed: ${(err as Error)?.message ?? err}`, {
        cause: err,
      });
    }
  } else if (isPlugin(m.default)) {
    candidate = m.default;
  } else {
    candidate = { name: m.name, onDiagnosis: m.onDiagnosis, onStop: m.onStop };
  }
  if (!isPlugin(candidate)) {
    throw new PluginLoadError(
      cfg.module,
      'exports neither onDiagnosis nor onStop (nor a factory returning them)',
    );
  }
  return candidate;
}

async function readApiKey(
  advisor: AdvisorConfig,
  baseDir: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const llm = advisor.llm;
  if (!llm) return undefined;
  if (llm.apiKeyFile) {
    const file = path.resolve(baseDir, llm.apiKeyFile);
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (err) {
      throw new Error(`advisor.llm.apiKeyFile: cannot read ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (llm.apiKeyEnv) {
    const v = env[llm.apiKeyEnv];
    if (!v) throw new Error(`advisor.llm.apiKeyEnv: environment variable ${llm.apiKeyEnv} is not set`);
    return v.trim();
  }
  return undefined;
}

export async function loadPluginHost(config: PluginHostConfig, deps: PluginHostDeps): Promise<PluginHost> {
  const loaded: LoadedPlugin[] = [];
  const names = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; names.has(n); i++) n = `${name}#${i}`;
    names.add(n);
    return n;
  };

  const advisor = config.advisor;
  if (advisor.enabled) {
    const provider =
      deps.capacityProvider ?? createCapacityProvider(advisor, { kubeConfig: deps.kubeConfig });
    const apiKey = await readApiKey(advisor, config.baseDir, deps.env ?? process.env);
    const llm = advisor.llm
      ? new LlmAdvisor({
          baseUrl: advisor.llm.baseUrl,
          model: advisor.llm.model,
          apiKey,
          timeoutMs: advisor.llm.timeoutSeconds * 1000,
          jsonMode: advisor.llm.jsonMode,
        })
      : undefined;
    const plugin = createAdvisorPlugin(advisor, { provider, llm, registry: deps.registry });
    // Its deadline covers a capacity read and an LLM call; past it the stop goes ahead without advice.
    const timeoutMs = (advisor.capacity.timeoutSeconds + (advisor.llm?.timeoutSeconds ?? 0) + 1) * 1000;
    loaded.push({ name: unique(ADVISOR_PLUGIN_NAME), plugin, timeoutMs });
  }

  for (const cfg of config.plugins) {
    const mod = await importModule(cfg.module, config.baseDir);
    const fallbackName = path.basename(cfg.module).replace(/\.(m?[jt]s|cjs)$/, '');
    const log = deps.logger.child({ plugin: fallbackName });
    const plugin = await toPlugin(mod, cfg, { name: fallbackName, log, baseDir: config.baseDir });
    const name = unique(
      typeof plugin.name === 'string' && plugin.name ? plugin.name.slice(0, 64) : fallbackName,
    );
    loaded.push({ name, plugin, timeoutMs: cfg.timeoutSeconds * 1000 });
    deps.logger.info(
      { plugin: name, module: cfg.module, timeoutSeconds: cfg.timeoutSeconds },
      'plugin loaded',
    );
  }
  return createPluginHost(loaded, { logger: deps.logger, registry: deps.registry });
}
