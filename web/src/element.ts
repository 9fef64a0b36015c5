// <spawn-diagnosis>: the friendly card (SpawnDiagnosis) and the calm note (SpawnProgress) on a
// spawn page. It follows the hub's progress stream itself (`progress-url` or `follow`), or a
// host page feeds it (`handleEvent`, `showDiagnosis`). Every string from an event or an
// annotation goes in through textContent or a validated href; nothing becomes HTML.
import type { AdviceRequest, DiagnosisAnnotation } from '../../src/diagnosis/annotation.js';
import illustration from '../illustrations/oops-robot.svg';
import {
  eventTime,
  type Interpreted,
  interpret,
  interpretData,
  isSpawnDoctorEvent,
  podOf,
  type RawEvent,
} from './events.js';
import {
  formatBytes,
  formatEta,
  formatRequest,
  formatTime,
  headingFor,
  type Lang,
  pickLang,
  strings,
} from './i18n.js';
import { buildMailto, progressUrl, type ServerRef, safeHttpUrl, spawnUrl, xsrfToken } from './links.js';
import { forget, type Remembered, recall, remember } from './memory.js';
import { fetchUserOptions, respawn, respawnOptions } from './respawn.js';
import { STYLES } from './styles.js';

type JhData = { base_url?: string; user?: string; xsrf_token?: string };

function jhdata(): JhData | undefined {
  const d = (window as unknown as { jhdata?: unknown }).jhdata;
  return typeof d === 'object' && d !== null ? (d as JhData) : undefined;
}

/** `el('p', {class: 'x'}, 'text')`: attributes are set as attributes, children as text nodes. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

/** Our own static SVG, parsed as XML (not HTML) and adopted into the shadow tree. */
function picture(): Node {
  const doc = new DOMParser().parseFromString(illustration, 'image/svg+xml');
  const svg = doc.documentElement;
  svg.setAttribute('aria-hidden', 'true');
  svg.removeAttribute('role');
  return document.importNode(svg, true);
}

export const EVENT_PREFIX = 'spawn-doctor-';

export class SpawnDiagnosisElement extends HTMLElement {
  static get observedAttributes(): string[] {
    return ['lang', 'progress-url', 'follow'];
  }

  readonly #root: ShadowRoot;
  readonly #wrap: HTMLDivElement;
  #source: EventSource | undefined;
  #shown:
    | { annotation: DiagnosisAnnotation; event: RawEvent | undefined; at: Date; remembered: boolean }
    | undefined;
  #note: { annotation: DiagnosisAnnotation; event: RawEvent } | undefined;
  #failedMessage: string | undefined;
  /** How the stream ended, as the `data-stream-end` attribute: 'failed' or 'ready'. */
  #streamEnd: 'failed' | 'ready' | undefined;
  #userOptions: Record<string, unknown> | undefined;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLES;
    this.#wrap = el('div', { class: 'wrap', part: 'wrap' });
    this.#root.append(style, this.#wrap);
  }

  // ---- configuration -------------------------------------------------------------------------

  /** The language the element renders in (see pickLang). */
  get language(): Lang {
    return pickLang(this.getAttribute('lang'), document.documentElement.lang, navigator.languages ?? []);
  }

  get serverRef(): ServerRef {
    const d = jhdata();
    return {
      baseUrl: this.getAttribute('base-url') ?? d?.base_url ?? '/hub/',
      user: this.getAttribute('user') ?? d?.user ?? '',
      server: this.getAttribute('server') ?? '',
    };
  }

  /** The failed spawn's user_options (JSON in the `user-options` attribute, or set by a host). */
  get userOptions(): Record<string, unknown> | undefined {
    if (this.#userOptions) return this.#userOptions;
    const attr = this.getAttribute('user-options');
    if (!attr) return undefined;
    try {
      const v: unknown = JSON.parse(attr);
      return typeof v === 'object' && v !== null && !Array.isArray(v)
        ? (v as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }

  set userOptions(value: Record<string, unknown> | undefined) {
    this.#userOptions = value;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  connectedCallback(): void {
    if (this.getAttribute('mode') === 'remembered') this.showRemembered();
    this.#follow();
  }

  disconnectedCallback(): void {
    this.close();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === 'lang') this.#render();
    else this.#follow();
  }

  /** Stops following the stream. */
  close(): void {
    this.#source?.close();
    this.#source = undefined;
  }

  #follow(): void {
    this.close();
    let url = this.getAttribute('progress-url');
    if (!url && this.hasAttribute('follow')) url = progressUrl(this.serverRef);
    if (!url) return;
    // A new spawn is pending: whatever we remembered about the previous one is history now.
    if (this.serverRef.user) forget(sessionStorage, this.serverRef);
    const source = new EventSource(url);
    source.onmessage = (e: MessageEvent<string>) => this.#apply(interpretData(e.data));
    this.#source = source;
  }

  // ---- the API for host pages ----------------------------------------------------------------

  /** Feed one message of the progress stream (the parsed JSON object). */
  handleEvent(message: unknown): Interpreted {
    const result = interpret(message);
    this.#apply(result);
    return result;
  }

  /** Show a diagnosis directly, e.g. from a host page that parsed the annotation itself. */
  showDiagnosis(annotation: DiagnosisAnnotation, rawEvent?: RawEvent): void {
    this.#shown = { annotation, event: rawEvent, at: eventTime(rawEvent, new Date()), remembered: false };
    this.#note = undefined;
    const ref = this.serverRef;
    if (ref.user) {
      const value: Remembered = { annotation, pod: podOf(rawEvent), at: this.#shown.at.toISOString() };
      const options = this.userOptions;
      if (options) value.userOptions = options;
      remember(sessionStorage, ref, value);
    }
    this.#render();
    this.#emit('diagnosis', { annotation, rawEvent });
  }

  /** Show the diagnosis remembered for this server in sessionStorage; false when there is none. */
  showRemembered(): boolean {
    const r = recall(sessionStorage, this.serverRef);
    if (!r) return false;
    if (!this.#userOptions && r.userOptions && !this.getAttribute('user-options'))
      this.#userOptions = r.userOptions;
    const event: RawEvent = {
      involvedObject: { name: r.pod.name, namespace: r.pod.namespace, uid: r.pod.uid },
    };
    this.#shown = { annotation: r.annotation, event, at: new Date(r.at), remembered: true };
    this.#render();
    this.#emit('diagnosis', { annotation: r.annotation, rawEvent: event, remembered: true });
    return true;
  }

  /** Removes the card and the note. */
  clear(): void {
    this.#shown = undefined;
    this.#note = undefined;
    this.#failedMessage = undefined;
    this.#render();
    this.#emit('clear', {});
  }

  get diagnosis(): DiagnosisAnnotation | undefined {
    return this.#shown?.annotation;
  }

  #apply(r: Interpreted): void {
    switch (r.kind) {
      case 'diagnosis':
        this.showDiagnosis(r.annotation, r.event);
        return;
      case 'progress':
        if (this.#isStale(r.event)) this.clear();
        if (this.#shown) return; // a diagnosis outranks a note of the same pod
        this.#note = { annotation: r.annotation, event: r.event };
        this.#render();
        this.#emit('progress', { annotation: r.annotation, rawEvent: r.event });
        return;
      case 'invalid':
        console.warn(`spawn-doctor: ignoring an event: ${r.reason}`);
        return;
      case 'other':
        // Another pod's event (same name, new uid) means the card belongs to an earlier spawn.
        if (r.event && !isSpawnDoctorEvent(r.event) && this.#isStale(r.event)) this.clear();
        return;
      case 'ready':
        this.close();
        this.#streamEnd = 'ready';
        if (this.#shown && !this.#shown.remembered && this.#shown.annotation.action === 'stop') {
          // JupyterHub may report "ready" for a spawn that was just cancelled (the server record
          // is cleared a moment later); its own script then reloads into the not-running page.
          // The diagnosis still stands: keep it, and remembered for that page.
          this.#failedMessage = '';
          this.#renderState();
          this.#emit('failed', { message: '', diagnosed: true });
          return;
        }
        forget(sessionStorage, this.serverRef);
        this.#note = undefined;
        this.#render();
        this.#emit('ready', {});
        return;
      case 'failed':
        this.close();
        this.#streamEnd = 'failed';
        this.#failedMessage = r.message;
        if (this.#shown) {
          // The card stays as it is (re-creating it would make screen readers announce it again);
          // the hub's own words go into its technical details.
          this.#failedDetail(r.message);
          this.#renderState();
        } else {
          this.#note = undefined;
          this.#render();
        }
        this.#emit('failed', { message: r.message, diagnosed: Boolean(this.#shown) });
        return;
    }
  }

  #isStale(event: RawEvent): boolean {
    const uid = podOf(event).uid;
    const current = podOf(this.#shown?.event ?? this.#note?.event).uid;
    return Boolean(uid && current && uid !== current);
  }

  #emit(name: string, detail: object): boolean {
    return this.dispatchEvent(
      new CustomEvent(EVENT_PREFIX + name, { detail, bubbles: true, composed: true, cancelable: true }),
    );
  }

  // ---- rendering -----------------------------------------------------------------------------

  #render(): void {
    const lang = this.language;
    const parts: Node[] = [];
    if (this.#shown) parts.push(this.#card(lang));
    else if (this.#note) parts.push(this.#progressNote(lang));
    // A new node for each new diagnosis, so that assistive technology announces it.
    this.#wrap.replaceChildren(...parts);
    this.#renderState();
  }

  /** The state attributes on the host element, for the page's CSS and for tests. */
  #renderState(): void {
    this.toggleAttribute('data-diagnosed', Boolean(this.#shown));
    this.toggleAttribute('data-failed', this.#failedMessage !== undefined);
    if (this.#streamEnd) this.setAttribute('data-stream-end', this.#streamEnd);
  }

  #progressNote(lang: Lang): HTMLElement {
    const { annotation } = this.#note!;
    const t = strings(lang);
    const p = annotation.progress;
    const size = p?.imageSize ? formatBytes(p.imageSize, lang) : undefined;
    const eta = p?.etaSeconds !== undefined ? formatEta(p.etaSeconds, lang) : undefined;
    const text = el('div', {});
    text.append(el('p', { class: 'note-title' }, annotation.title[lang] || t.progressHeading));
    // Size and time left are ours to say; the why and the patience are the service's detail.
    if (size || eta) text.append(el('p', { class: 'eta' }, t.downloading(size, eta)));
    text.append(el('p', { class: 'note-detail' }, annotation.detail[lang] || t.patience));
    return el(
      'section',
      { class: 'note', role: 'status', 'aria-live': 'polite', part: 'note' },
      el('span', { class: 'dot', 'aria-hidden': 'true' }),
      text,
    );
  }

  #card(lang: Lang): HTMLElement {
    const { annotation, event, at, remembered } = this.#shown!;
    const t = strings(lang);
    const pod = podOf(event);
    const ref = this.serverRef;
    const heading = el('h2', { id: 'sd-heading' }, headingFor(annotation.category, lang));
    const body = el('div', { class: 'body' }, heading);
    body.append(el('p', { class: 'title', part: 'title' }, annotation.title[lang]));
    if (annotation.detail[lang])
      body.append(el('p', { class: 'detail', part: 'detail' }, annotation.detail[lang]));

    const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    if (annotation.advice.length) {
      body.append(el('h3', {}, t.whatToDo));
      const list = el('ul', { class: 'advice' });
      for (const a of annotation.advice) {
        const item = el('li', {}, a[lang]);
        if (a.request) item.append(this.#retryButton(a.request, lang, status));
        list.append(item);
      }
      body.append(list);
    }
    body.append(status);

    const actions = el('div', { class: 'actions' });
    actions.append(
      el(
        'a',
        {
          class: 'btn primary',
          href: this.getAttribute('spawn-url') || spawnUrl(ref),
          'data-action': 'try-again',
        },
        t.tryAgain,
      ),
    );
    const contact = annotation.contact || this.getAttribute('contact') || '';
    const when = formatTime(at, lang);
    if (contact) {
      const mail = buildMailto(
        contact,
        t.mailSubject(pod.name || ref.user),
        t.mailBody({
          pod: pod.name || '?',
          namespace: pod.namespace || '?',
          time: `${when} (${at.toISOString()})`,
          category: annotation.category,
          title: annotation.title[lang],
        }),
      );
      const url = mail ? undefined : safeHttpUrl(contact);
      if (mail || url)
        actions.append(
          el(
            'a',
            { class: 'btn secondary', href: (mail ?? url)!, 'data-action': 'contact' },
            `${t.contact}: ${mail ? contact.replace(/^mailto:/i, '') : contact}`,
          ),
        );
      else body.append(el('p', { class: 'meta' }, `${t.contact}: ${contact}`));
    }
    const docs = annotation.docs ? safeHttpUrl(annotation.docs) : undefined;
    if (docs)
      actions.append(
        el(
          'a',
          {
            class: 'btn secondary',
            href: docs,
            target: '_blank',
            rel: 'noopener noreferrer',
            'data-action': 'docs',
          },
          t.docs,
        ),
      );
    body.append(actions);

    const meta = [pod.name && `${pod.namespace ? `${pod.namespace}/` : ''}${pod.name}`, when]
      .filter(Boolean)
      .join(' · ');
    body.append(
      el(
        'p',
        { class: 'meta' },
        remembered ? `${t.remembered(when)}${pod.name ? ` · ${pod.name}` : ''}` : meta,
      ),
    );
    const details = el('details', { 'data-part': 'details' }, el('summary', {}, t.details));
    details.append(el('p', {}, `${annotation.category}${event?.message ? `: ${event.message}` : ''}`));
    body.append(details);
    if (this.#failedMessage) this.#failedDetail(this.#failedMessage, details);

    const pic = el('div', { class: 'pic', part: 'picture' }, picture());
    return el(
      'section',
      {
        class: 'card',
        role: 'alert',
        'aria-labelledby': 'sd-heading',
        part: 'card',
        'data-category': annotation.category,
      },
      pic,
      body,
    );
  }

  /** Adds the hub's failure message ("Spawn cancelled", "Spawn failed: …") to the details. */
  #failedDetail(message: string, details = this.#wrap.querySelector('details[data-part="details"]')): void {
    if (message && details) details.append(el('p', { 'data-hub-message': '' }, `JupyterHub: ${message}`));
  }

  #retryButton(request: AdviceRequest, lang: Lang, status: HTMLElement): HTMLButtonElement {
    const t = strings(lang);
    const button = el(
      'button',
      { type: 'button', 'data-action': 'retry-with' },
      t.retryWith(formatRequest(request, lang)),
    );
    button.addEventListener('click', async () => {
      const ref = this.serverRef;
      const buttons = Array.from(
        this.#root.querySelectorAll<HTMLButtonElement>('button[data-action="retry-with"]'),
      );
      let previous = this.userOptions;
      const xsrf = xsrfToken(jhdata(), document.cookie);
      // A host page may start the server itself: cancel the event and read detail.options.
      const proceed = this.#emit('respawn', { request, options: respawnOptions(previous, request) });
      if (!proceed) return;
      buttons.forEach((b) => {
        b.disabled = true;
      });
      status.classList.remove('error');
      status.textContent = t.starting;
      try {
        if (!previous) previous = await fetchUserOptions(ref, { fetch: window.fetch.bind(window), xsrf });
        const next = await respawn(ref, respawnOptions(previous, request), {
          fetch: window.fetch.bind(window),
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          xsrf,
        });
        window.location.assign(next);
      } catch (err) {
        status.classList.add('error');
        status.textContent = t.startFailed((err as Error).message);
        buttons.forEach((b) => {
          b.disabled = false;
        });
      }
    });
    return button;
  }
}

export function define(name = 'spawn-diagnosis'): void {
  if (!customElements.get(name)) customElements.define(name, class extends SpawnDiagnosisElement {});
}
