// The JupyterHub side: a REST client (cancel a spawn, follow its progress stream) and the
// registry that picks the hub of a pod.
export {
  answerKind,
  type CancelOutcome,
  type CancelRequest,
  type DeleteAnswer,
  type Recheck,
} from './cancel.js';
export {
  type CancelOptions,
  type FollowOptions,
  HubClient,
  type HubClientOptions,
  normaliseApiUrl,
  serverPath,
} from './client.js';
export { HubHttpError, HubNetworkError } from './errors.js';
export { carriesEvent, type ProgressEvent, parseProgressData } from './progress.js';
export { createHubRegistry, type HubRegistry, type HubTarget, tokenSource } from './registry.js';
export { backoffDelay, type RetryOptions, retry, sleep } from './retry.js';
export { SseParser } from './sse.js';
