// `spawn-doctor classify`: JSON Lines in (an Event, {event, pod} or {events, pod, capacity}), one
// JSON line out per input line, in order. A bad line gets {"error": ...} naming its line number;
// the exit status is 1 if any line was bad.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import type { Lang } from '../diagnosis/annotation.js';
import {
  type CapacitySnapshot,
  classify,
  type Evidence,
  type KubeEvent,
  type PodLike,
} from '../diagnosis/index.js';
import { describe, type SiteInfo } from '../messages/index.js';

export interface ClassifyOptions {
  lang: Lang;
  site: SiteInfo;
}

type Parsed = { ok: true; evidence: Evidence } | { ok: false; error: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object is an event when it says what happened: a reason or a message (and is not another kind). */
function eventProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not an object';
  if (v.kind !== undefined && v.kind !== 'Event')
    return `has kind ${JSON.stringify(String(v.kind)).slice(0, 60)}, not Event`;
  if (typeof v.reason !== 'string' && typeof v.message !== 'string')
    return 'has neither a string "reason" nor a string "message"';
  return undefined;
}

function optionalObject(v: unknown, what: string): string | undefined {
  return v === undefined || isObject(v) ? undefined : `"${what}" must be an object`;
}

/** Reads one input line into evidence, or says what is wrong with it. */
export function parseLine(line: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, error: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!isObject(value))
    return {
      ok: false,
      error: 'expected a JSON object (an Event, {"event", "pod"} or {"events", "pod", "capacity"})',
    };
  const bad = optionalObject(value.pod, 'pod') ?? optionalObject(value.capacity, 'capacity');
  if ('events' in value) {
    if (bad) return { ok: false, error: bad };
    if (!Array.isArray(value.events))
      return { ok: false, error: '"events" must be an array of Event objects' };
    for (const [i, e] of value.events.entries()) {
      const problem = eventProblem(e);
      if (problem) return { ok: false, error: `events[${i}] ${problem}` };
    }
    if (value.capacity !== undefined && !Array.isArray((value.capacity as { nodes?: unknown }).nodes)) {
      return { ok: false, error: '"capacity.nodes" must be an array' };
    }
    return { ok: true, evidence: evidenceOf(value.events as KubeEvent[], value.pod, value.capacity) };
  }
  if ('event' in value) {
    if (bad) return { ok: false, error: bad };
    const problem = eventProblem(value.event);
    if (problem) return { ok: false, error: `"event" ${problem}` };
    return { ok: true, evidence: evidenceOf([value.event as KubeEvent], value.pod, value.capacity) };
  }
  const problem = eventProblem(value);
  if (problem) return { ok: false, error: `not an event: the object ${problem}` };
  return { ok: true, evidence: { events: [value as KubeEvent] } };
}

function evidenceOf(events: KubeEvent[], pod: unknown, capacity: unknown): Evidence {
  const evidence: Evidence = { events };
  if (isObject(pod)) evidence.pod = pod as PodLike;
  if (isObject(capacity)) evidence.capacity = capacity as unknown as CapacitySnapshot;
  return evidence;
}

/** One output line for one input line (without the newline). */
export function classifyLine(
  line: string,
  lineNumber: number,
  opts: ClassifyOptions,
): { out: string; bad: boolean } {
  const parsed = parseLine(line);
  if (!parsed.ok) return { out: JSON.stringify({ error: `line ${lineNumber}: ${parsed.error}` }), bad: true };
  const d = classify(parsed.evidence);
  const text = describe(d, opts.site);
  return {
    out: JSON.stringify({
      category: d.category,
      action: d.action,
      severity: d.severity,
      params: d.params,
      title: text.title[opts.lang],
      detail: text.detail[opts.lang],
    }),
    bad: false,
  };
}

/** Streams stdin to stdout; resolves to the number of bad lines. */
export async function runClassify(input: Readable, output: Writable, opts: ClassifyOptions): Promise<number> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let bad = 0;
  for await (const line of rl) {
    n++;
    const result = classifyLine(line, n, opts);
    if (result.bad) bad++;
    if (!output.write(`${result.out}\n`)) await new Promise((resolve) => output.once('drain', resolve));
  }
  return bad;
}

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description(
      'Classify Kubernetes events read as JSON Lines on stdin (an Event, {"event", "pod"} or {"events", "pod", "capacity"} per line); writes one JSON line per input line.',
    )
    .addOption(
      new Option('--lang <lang>', 'language of title and detail').choices(['en', 'cs']).default('en'),
    )
    .option('--contact <address>', 'support contact shown in the texts')
    .option('--docs <url>', 'documentation link appended to the texts')
    .action(async (options: { lang: Lang; contact?: string; docs?: string }) => {
      const site: SiteInfo = {};
      if (options.contact) site.contact = options.contact;
      if (options.docs) site.docs = options.docs;
      const bad = await runClassify(process.stdin, process.stdout, { lang: options.lang, site });
      process.exitCode = bad > 0 ? 1 : 0;
    });
}
