// For host pages that keep the progress messages themselves: only the current pod's. A pod
// keeps its name across spawns but gets a new uid, and the hub's stream may replay a previous
// pod's events first; a message for a new uid starts the list afresh.
import { type ProgressMessage, podOf, type RawEvent } from './events.js';

export interface PodMessages {
  uid: string;
  messages: ProgressMessage[];
}

export const EMPTY_POD_MESSAGES: PodMessages = { uid: '', messages: [] };

/** A reducer: the state after `message` arrived. Messages without a pod (%, failed, ready) are kept. */
export function keepCurrentPod(state: PodMessages, message: ProgressMessage): PodMessages {
  const raw = message.raw_event;
  const uid = typeof raw === 'object' && raw !== null ? podOf(raw as RawEvent).uid : '';
  if (uid && uid !== state.uid) return { uid, messages: [message] };
  return { uid: state.uid, messages: [...state.messages, message] };
}
