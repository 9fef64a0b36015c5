// Runs loaded plugins behind the PluginHost facade. Every call gets its own deadline and AbortSignal;
// a plugin that throws, hangs or returns garbage is logged and counted and simply contributes
// nothing. Plugins see frozen copies, so nothing they do can change the diagnosis or the decision.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { counter } from '../advice/metrics.js';
import { type Advice, adviceSchema, type LocalizedText } from '../diagnosis/annotation.js';
import type { Diagnosis, PodLike } from '../diagnosis/types.js';
import type { DiagnosisContext, Plugin, PluginHost, SpawnRef, StopContext } from './types.js';

export interface LoadedPlugin {
  name: string;
  plugin: Plugin;
  timeoutMs: number;
}

/** What the annotation can carry (its schema caps advice at 10). */
const MAX_ADVICE = 10;
const MAX_NOTES = 5;
const noteSchema = adviceSchema.pick({ en: true, cs: true }).strict();

type Hook = 'onDiagnosis' | 'onStop';
type CallResult = 'ok' | 'error' | 'timeout' | 'invalid';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** A frozen deep copy; objects that cannot be cloned structurally go through JSON. */
function frozenCopy<T>(value: T): T {
  let copy: T;
  try {
    copy = structuredClone(value);
  } catch {
    copy = JSON.parse(JSON.stringify(value ?? null)) as T;
  }
  return deepFreeze(copy);
}

function errText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500);
  try {
    return `thrown non-error: ${JSON.stringify(err)}`.slice(0, 500);
  } catch {
    return 'thrown non-error';
  }
}

export function createPluginHost(
  plugins: LoadedPlugin[],
  deps: { logger: Logger; registry: Registry },
): PluginHost {
  const calls = counter(
    deps.registry,
    'spawn_doctor_plugin_calls_total',
    'Plugin calls by plugin, hook and result.',
    ['plugin', 'hook', 'result'],
  );
  const failures = counter(
    deps.registry,
    'spawn_doctor_plugin_failures_total',
    'Plugin calls that threw, timed out or returned/added something invalid.',
    ['plugin', 'hook', 'kind'],
  );

  /** Runs one hook with a deadline; resolves (never rejects) once it returns or its time is up. */
  async function call<C extends { signal: AbortSignal }>(
    p: LoadedPlugin,
    hook: Hook,
    makeCtx: (signal: AbortSignal, log: Logger) => C,
    onReturn: (value: unknown) => boolean,
  ): Promise<CallResult> {
    const fn = p.plugin[hook] as ((ctx: C) => unknown) | undefined;
    if (typeof fn !== 'function') return 'ok';
    const log = deps.logger.child({ plugin: p.name, hook });
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), p.timeoutMs);
    });
    const ctx = makeCtx(controller.signal, log);
    const run = (async () => {
      try {
        const value = await fn.call(p.plugin, ctx);
        return onReturn(value) ? ('ok' as const) : ('invalid' as const);
      } catch (err) {
        log.error({ err: errText(err) }, 'plugin failed; the spawn is handled without it');
        return 'error' as const;
      }
    })();
    const result = await Promise.race([run, deadline]);
    clearTimeout(timer);
    if (result === 'timeout') {
      controller.abort(new Error(`plugin ${p.name} ${hook} timed out after ${p.timeoutMs} ms`));
      log.warn({ timeoutMs: p.timeoutMs }, 'plugin timed out; the spawn is handled without it');
      // A hung plugin's eventual rejection must not become an unhandled rejection.
      run.catch(() => {});
    } else if (result === 'invalid') {
      log.warn({}, 'plugin returned something that is not {advice?, notes?}; ignored');
    }
    calls.inc({ plugin: p.name, hook, result });
    if (result !== 'ok') failures.inc({ plugin: p.name, hook, kind: result });
    return result;
  }

  return {
    async runOnDiagnosis(input) {
      const diagnosis = frozenCopy<Diagnosis>(input.diagnosis);
      const pod = frozenCopy<PodLike>(input.pod);
      const spawn = frozenCopy<SpawnRef>(input.spawn);
      const perPlugin = await Promise.all(
        plugins.map(async (p) => {
          const advice: Advice[] = [];
          const notes: LocalizedText[] = [];
          let open = true;
          const take = (kind: 'advice' | 'note', raw: unknown, log: Logger): void => {
            if (!open) {
              failures.inc({ plugin: p.name, hook: 'onDiagnosis', kind: 'late' });
              log.warn({}, `plugin added ${kind} after its time was up; ignored`);
              return;
            }
            const parsed = kind === 'advice' ? adviceSchema.safeParse(raw) : noteSchema.safeParse(raw);
            if (!parsed.success) {
              failures.inc({ plugin: p.name, hook: 'onDiagnosis', kind: 'invalid' });
              log.warn({ issue: parsed.error.issues[0]?.message }, `plugin added invalid ${kind}; ignored`);
              return;
            }
            if (kind === 'advice') advice.push(parsed.data as Advice);
            else notes.push(parsed.data as LocalizedText);
          };
          let ctxLog: Logger = deps.logger;
          const result = await call<DiagnosisContext>(
            p,
            'onDiagnosis',
            (signal, log) => {
              ctxLog = log;
              return {
                diagnosis,
                pod,
                spawn,
                log,
                signal,
                addAdvice: (a: Advice) => take('advice', a, log),
                addNote: (n: LocalizedText) => take('note', n, log),
              };
            },
            (value) => {
              // A plugin may also return {advice, notes} instead of calling add*; anything else is garbage.
              if (value === undefined || value === null) return true;
              if (typeof value !== 'object') return false;
              const v = value as { advice?: unknown; notes?: unknown };
              const keys = Object.keys(v);
              if (keys.some((k) => k !== 'advice' && k !== 'notes')) return false;
              if (v.advice !== undefined && !Array.isArray(v.advice)) return false;
              if (v.notes !== undefined && !Array.isArray(v.notes)) return false;
              for (const a of (v.advice as unknown[]) ?? []) take('advice', a, ctxLog);
              for (const n of (v.notes as unknown[]) ?? []) take('note', n, ctxLog);
              return true;
            },
          );
          open = false;
          // A plugin that timed out contributes nothing, even what it added before the deadline:
          // half-done advice (e.g. an explanation without its suggestions) would mislead.
          return result === 'timeout' ? { advice: [], notes: [] } : { advice, notes };
        }),
      );
      return {
        advice: perPlugin.flatMap((r) => r.advice).slice(0, MAX_ADVICE),
        notes: perPlugin.flatMap((r) => r.notes).slice(0, MAX_NOTES),
      };
    },

    async runOnStop(input) {
      const diagnosis = frozenCopy<Diagnosis>(input.diagnosis);
      const pod = frozenCopy<PodLike>(input.pod);
      const spawn = frozenCopy<SpawnRef>(input.spawn);
      await Promise.all(
        plugins.map((p) =>
          call<StopContext>(
            p,
            'onStop',
            (signal, log) => ({ diagnosis, pod, spawn, log, signal, outcome: input.outcome }),
            (value) =>
              value === undefined ||
              value === null ||
              typeof value === 'object' ||
              typeof value === 'boolean',
          ),
        ),
      );
    },

    async close() {
      for (const p of plugins) {
        const close = (p.plugin as { close?: () => unknown }).close;
        if (typeof close !== 'function') continue;
        try {
          await Promise.race([
            Promise.resolve(close.call(p.plugin)),
            new Promise((resolve) => setTimeout(resolve, p.timeoutMs).unref()),
          ]);
        } catch (err) {
          deps.logger.warn({ plugin: p.name, err: errText(err) }, 'plugin close failed');
        }
      }
    },
  };
}
