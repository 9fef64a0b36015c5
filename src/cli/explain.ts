// `spawn-doctor explain NAMESPACE/POD` or `--user NAME [--server S]`: reads the live pod and its
// Events (by pod UID, so a previous pod of the same name never mixes in), classifies them and
// prints the diagnosis for a person (or JSON). Read-only: it never changes anything.
import { CoreV1Api, type CoreV1Event, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { isOwnEvent } from '../actions/events.js';
import { KubernetesCapacityProvider } from '../advice/capacity/index.js';
import {
  type Advice,
  ANNOTATION_KEY,
  type DiagnosisAnnotation,
  diagnosisAnnotationSchema,
  type Lang,
} from '../diagnosis/annotation.js';
import {
  type CapacitySnapshot,
  classify,
  type Diagnosis,
  type KubeEvent,
  type PodLike,
} from '../diagnosis/index.js';
import { isHubPod, SERVERNAME_ANNOTATION, USERNAME_ANNOTATION } from '../kube/ownership.js';
import { parseSelector } from '../kube/selector.js';
import { describe, type SiteInfo } from '../messages/index.js';

export interface Announcement {
  reason: string;
  message: string;
  at?: string;
  annotation?: DiagnosisAnnotation;
}

export interface Explanation {
  pod: {
    namespace: string;
    name: string;
    uid: string;
    user?: string;
    server?: string;
    phase?: string;
    hubPod: boolean;
  };
  diagnosis: Diagnosis;
  title: string;
  detail: string;
  advice: string[];
  /** What spawn-doctor already wrote on this pod (SpawnDiagnosis / SpawnProgress), newest last. */
  announced: Announcement[];
  notes: string[];
}

function iso(t: unknown): string | undefined {
  if (!t) return undefined;
  const d = t instanceof Date ? t : new Date(String(t));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function when(e: KubeEvent): string | undefined {
  return iso(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp);
}

/** Pure: pod, its events and (optional) capacity → what `explain` shows. */
export function explainPod(input: {
  pod: PodLike;
  events: KubeEvent[];
  capacity?: CapacitySnapshot;
  lang: Lang;
  site?: SiteInfo;
  selector?: string;
}): Explanation {
  const { pod, lang } = input;
  const md = pod.metadata ?? {};
  const own = input.events.filter((e) => isOwnEvent(e));
  const diagnosis = classify({
    pod,
    events: input.events,
    ...(input.capacity ? { capacity: input.capacity } : {}),
  });
  const text = describe(diagnosis, input.site ?? {});
  const announced: Announcement[] = own
    .map((e) => {
      const raw = e.metadata?.annotations?.[ANNOTATION_KEY];
      let annotation: DiagnosisAnnotation | undefined;
      if (raw) {
        try {
          const parsed = diagnosisAnnotationSchema.safeParse(JSON.parse(raw));
          if (parsed.success) annotation = parsed.data;
        } catch {
          // a damaged annotation is shown as its message only
        }
      }
      const at = when(e);
      return {
        reason: e.reason ?? '',
        message: e.message ?? '',
        ...(at ? { at } : {}),
        ...(annotation ? { annotation } : {}),
      };
    })
    .sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  // Advice: what spawn-doctor announced (it may include the advisor's suggestions).
  const advice = announced.flatMap((a) => a.annotation?.advice ?? []).map((a: Advice) => a[lang]);
  const notes: string[] = [];
  const hubPod = isHubPod(pod, parseSelector(input.selector ?? 'component=singleuser-server'));
  if (!hubPod)
    notes.push(
      'this pod is not a JupyterHub single-user pod (label selector or username annotation missing)',
    );
  if (md.deletionTimestamp) notes.push(`the pod is being deleted (since ${iso(md.deletionTimestamp)})`);
  return {
    pod: {
      namespace: md.namespace ?? '',
      name: md.name ?? '',
      uid: md.uid ?? '',
      ...(md.annotations?.[USERNAME_ANNOTATION] ? { user: md.annotations[USERNAME_ANNOTATION] } : {}),
      ...(md.annotations?.[SERVERNAME_ANNOTATION] !== undefined
        ? { server: md.annotations[SERVERNAME_ANNOTATION] }
        : {}),
      ...(pod.status?.phase ? { phase: pod.status.phase } : {}),
      hubPod,
    },
    diagnosis,
    title: text.title[lang],
    detail: text.detail[lang],
    advice: [...new Set(advice)],
    announced,
    notes,
  };
}

const LABELS: Record<Lang, Record<string, string>> = {
  en: {
    user: 'user',
    server: 'server',
    default: 'default server',
    phase: 'phase',
    evidence: 'Evidence',
    advice: 'Advice',
    announced: 'spawn-doctor announced',
    none: 'nothing decisive in the pod status or its events',
    notes: 'Notes',
    action: 'action',
  },
  cs: {
    user: 'uživatel',
    server: 'server',
    default: 'výchozí server',
    phase: 'fáze',
    evidence: 'Podklady',
    advice: 'Doporučení',
    announced: 'spawn-doctor oznámil',
    none: 've stavu podu ani v jeho událostech není nic rozhodujícího',
    notes: 'Poznámky',
    action: 'akce',
  },
};

function wrap(text: string, indent: string, width = 100): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width - indent.length) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.map((l) => indent + l).join('\n');
}

/** Control characters from events never reach the terminal (no escape sequences). */
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ');
}

/** Pure: the human-readable report. */
export function renderExplanation(x: Explanation, lang: Lang): string {
  const L = LABELS[lang];
  const who = [
    x.pod.user ? `${L.user} ${x.pod.user}` : undefined,
    x.pod.server !== undefined ? (x.pod.server ? `${L.server} ${x.pod.server}` : L.default) : undefined,
    x.pod.phase ? `${L.phase} ${x.pod.phase}` : undefined,
    `uid ${x.pod.uid}`,
  ].filter(Boolean);
  const d = x.diagnosis;
  const out: string[] = [];
  out.push(`${x.pod.namespace}/${x.pod.name} (${who.join(', ')})`);
  out.push('');
  out.push(`${x.title}  [${d.category}, ${L.action} ${d.action}, ${d.severity}]`);
  out.push(wrap(x.detail, '  '));
  out.push('');
  out.push(`${L.evidence}:`);
  if (d.evidence.length === 0) out.push(`  - ${L.none}`);
  for (const e of d.evidence) {
    out.push(
      wrap(
        `- ${e.kind === 'event' ? 'event' : 'status'} ${e.reason}${e.at ? ` (${e.at})` : ''}: ${e.message}`,
        '  ',
      ),
    );
  }
  if (x.advice.length) {
    out.push('');
    out.push(`${L.advice}:`);
    for (const a of x.advice) out.push(wrap(`- ${a}`, '  '));
  }
  if (x.announced.length) {
    out.push('');
    out.push(`${L.announced}:`);
    for (const a of x.announced)
      out.push(wrap(`- ${a.reason}${a.at ? ` (${a.at})` : ''}: ${a.message}`, '  '));
  }
  if (x.notes.length) {
    out.push('');
    out.push(`${L.notes}:`);
    for (const n of x.notes) out.push(wrap(`- ${n}`, '  '));
  }
  return `${plain(out.join('\n'))}\n`;
}

function status(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

async function findUserPod(
  core: CoreV1Api,
  opts: { user: string; server: string; namespace?: string; selector: string },
): Promise<{ pod: V1Pod; others: number }> {
  const list = opts.namespace
    ? await core.listNamespacedPod({ namespace: opts.namespace, labelSelector: opts.selector })
    : await core.listPodForAllNamespaces({ labelSelector: opts.selector });
  const mine = list.items
    .filter((p) => p.metadata?.annotations?.[USERNAME_ANNOTATION] === opts.user)
    .filter((p) => (p.metadata?.annotations?.[SERVERNAME_ANNOTATION] ?? '') === opts.server)
    .sort((a, b) =>
      String(iso(b.metadata?.creationTimestamp) ?? '').localeCompare(
        String(iso(a.metadata?.creationTimestamp) ?? ''),
      ),
    );
  if (!mine[0]) {
    const server = opts.server ? `server "${opts.server}"` : 'the default server';
    throw new Error(
      `no single-user pod of user "${opts.user}" (${server})${opts.namespace ? ` in namespace ${opts.namespace}` : ''}`,
    );
  }
  return { pod: mine[0], others: mine.length - 1 };
}

async function eventsOf(core: CoreV1Api, pod: V1Pod): Promise<CoreV1Event[]> {
  const out: CoreV1Event[] = [];
  let cont: string | undefined;
  do {
    const page = await core.listNamespacedEvent({
      namespace: pod.metadata!.namespace!,
      fieldSelector: `involvedObject.uid=${pod.metadata!.uid}`,
      limit: 500,
      ...(cont ? { _continue: cont } : {}),
    });
    out.push(...page.items.filter((e) => e.involvedObject?.uid === pod.metadata!.uid));
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return out;
}

interface ExplainOptions {
  user?: string;
  server?: string;
  namespace?: string;
  json?: boolean;
  lang: string;
  kubeconfig?: string;
  selector: string;
  capacity: boolean;
  contact?: string;
  docs?: string;
}

async function runExplain(target: string | undefined, opts: ExplainOptions): Promise<number> {
  const lang: Lang = opts.lang === 'cs' ? 'cs' : 'en';
  if (opts.lang !== 'en' && opts.lang !== 'cs')
    throw new UsageError(`--lang must be en or cs, not "${opts.lang}"`);
  if (!target === !opts.user) throw new UsageError('give either NAMESPACE/POD or --user NAME');
  if (opts.server !== undefined && !opts.user) throw new UsageError('--server goes with --user');
  parseSelector(opts.selector);
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster())
    throw new Error('no Kubernetes cluster configured: set KUBECONFIG or use --kubeconfig');
  const core = kc.makeApiClient(CoreV1Api);

  const notes: string[] = [];
  let pod: V1Pod;
  if (target) {
    const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(target);
    if (!m) throw new UsageError(`"${target}" is not NAMESPACE/POD`);
    try {
      pod = await core.readNamespacedPod({ namespace: m[1]!, name: m[3]! });
    } catch (err) {
      if (status(err) === 404) throw new Error(`pod ${target} not found`);
      throw err;
    }
  } else {
    const found = await findUserPod(core, {
      user: opts.user!,
      server: opts.server ?? '',
      selector: opts.selector,
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
    });
    pod = found.pod;
    if (found.others) notes.push(`${found.others} older pod(s) of the same server exist; showing the newest`);
  }
  const events = await eventsOf(core, pod);
  let capacity: CapacitySnapshot | undefined;
  if (opts.capacity) {
    try {
      capacity = await new KubernetesCapacityProvider(core).snapshot(AbortSignal.timeout(10_000));
    } catch (err) {
      notes.push(
        `capacity not read (${err instanceof Error ? err.message : String(err)}); resource diagnoses rest on the event text alone`,
      );
    }
  }
  const site: SiteInfo = {
    ...(opts.contact ? { contact: opts.contact } : {}),
    ...(opts.docs ? { docs: opts.docs } : {}),
  };
  const x = explainPod({
    pod: pod as PodLike,
    events: events as KubeEvent[],
    lang,
    site,
    selector: opts.selector,
    ...(capacity ? { capacity } : {}),
  });
  x.notes.push(...notes);
  process.stdout.write(opts.json ? `${JSON.stringify(x, null, 2)}\n` : renderExplanation(x, lang));
  return 0;
}

class UsageError extends Error {}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      'Explain why a single-user pod does not start: reads the live pod and its events and prints the diagnosis.',
    )
    .argument('[NAMESPACE/POD]', 'the pod')
    .option('--user <name>', 'the JupyterHub user instead of a pod (its newest single-user pod)')
    .option('--server <name>', 'with --user: the named server (default: the default server)')
    .option('-n, --namespace <ns>', 'with --user: look only in this namespace')
    .option('--json', 'print JSON instead of text')
    .option('--lang <lang>', 'en or cs', 'en')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--selector <selector>', 'label selector of single-user pods', 'component=singleuser-server')
    .option('--no-capacity', 'do not read node capacity (it tells "no node could ever" from "none free now")')
    .option('--contact <address>', 'support contact shown in the texts')
    .option('--docs <url>', 'documentation link shown in the texts')
    .action(async (target: string | undefined, opts: ExplainOptions) => {
      try {
        process.exitCode = await runExplain(target, opts);
      } catch (err) {
        const usage = err instanceof UsageError;
        const msg = err instanceof Error ? err.message : String(err);
        process.stderr.write(`spawn-doctor explain: ${msg}\n`);
        process.exitCode = usage ? 2 : 1;
      }
    });
}
