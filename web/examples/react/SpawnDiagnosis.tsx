// Embedding <spawn-diagnosis> in a React spawn page that already follows the hub's progress
// stream. Copy and adapt; it needs React 18+ and the bundle (web/dist/spawn-doctor.js).
//
//   const events = useCurrentPodEvents(progressUrl);
//   return <SpawnDiagnosis events={events} user={user} server={server} baseUrl="/hub/" />;
import { useEffect, useRef, useState } from 'react';
// Defines the custom element once (side effect) and exports its helpers.
import { EMPTY_POD_MESSAGES, keepCurrentPod, type ProgressMessage } from 'spawn-doctor/web/dist/spawn-doctor.js';

type SpawnDiagnosisElement = HTMLElement & {
  handleEvent(message: unknown): unknown;
  clear(): void;
};

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'spawn-diagnosis': React.DetailedHTMLProps<React.HTMLAttributes<HTMLElement>, HTMLElement> & {
        user?: string;
        server?: string;
        'base-url'?: string;
        'user-options'?: string;
        contact?: string;
        lang?: string;
      };
    }
  }
}

/**
 * The progress messages of the current pod only. A pod keeps its name across spawns but gets a
 * new uid; when a message arrives for a newer uid, the older pod's messages are dropped, so old
 * events (and an old diagnosis) never show on a new spawn. Messages without a raw_event
 * (progress %, "failed", "ready") belong to the current spawn and are kept.
 */
export function useCurrentPodEvents(progressUrl: string | undefined): ProgressMessage[] {
  const [state, setState] = useState(EMPTY_POD_MESSAGES);
  useEffect(() => {
    if (!progressUrl) return;
    setState(EMPTY_POD_MESSAGES);
    const source = new EventSource(progressUrl);
    source.onmessage = (e: MessageEvent<string>) => {
      let message: ProgressMessage;
      try {
        message = JSON.parse(e.data) as ProgressMessage;
      } catch {
        return;
      }
      setState((previous) => keepCurrentPod(previous, message));
      if (message.ready || message.failed) source.close();
    };
    return () => source.close();
  }, [progressUrl]);
  return state.messages;
}

export interface SpawnDiagnosisProps {
  /** The current pod's progress messages, oldest first (e.g. from useCurrentPodEvents). */
  events: ProgressMessage[];
  user: string;
  /** '' for the default server. */
  server: string;
  /** The hub's base URL, e.g. '/hub/'. */
  baseUrl: string;
  /** The failed spawn's user_options, so that "start again" keeps the image and the rest. */
  userOptions?: Record<string, unknown>;
  /** Start the server yourself instead of the element's REST call; gets the new user_options. */
  onRespawn?: (userOptions: Record<string, unknown>) => void;
}

/** Renders nothing until a spawn-doctor note or diagnosis arrives; then the note or the card. */
export function SpawnDiagnosis({ events, user, server, baseUrl, userOptions, onRespawn }: SpawnDiagnosisProps) {
  const ref = useRef<SpawnDiagnosisElement>(null);
  const fed = useRef<ProgressMessage[]>([]);

  // Feed only what is new; a list that does not extend the previous one is a new pod: start over.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const previous = fed.current;
    const extends_ = previous.length <= events.length && previous.every((m, i) => m === events[i]);
    if (!extends_) el.clear();
    for (const message of events.slice(extends_ ? previous.length : 0)) el.handleEvent(message);
    fed.current = events;
  }, [events]);

  useEffect(() => {
    const el = ref.current;
    if (!el || !onRespawn) return;
    const listener = (e: Event) => {
      e.preventDefault(); // we start it ourselves
      onRespawn((e as CustomEvent<{ options: Record<string, unknown> }>).detail.options);
    };
    el.addEventListener('spawn-doctor-respawn', listener);
    return () => el.removeEventListener('spawn-doctor-respawn', listener);
  }, [onRespawn]);

  return (
    <spawn-diagnosis
      ref={ref}
      user={user}
      server={server}
      base-url={baseUrl}
      user-options={userOptions ? JSON.stringify(userOptions) : undefined}
    />
  );
}
