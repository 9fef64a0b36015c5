// Picks the configured capacity source and bounds every snapshot by the configured timeout.
import * as k8s from '@kubernetes/client-node';
import type { AdvisorConfig } from '../config.js';
import { KubernetesCapacityProvider } from './kubernetes.js';
import { PrometheusCapacityProvider } from './prometheus.js';
import { CapacityError, type CapacityProvider, type CapacitySnapshot } from './types.js';

export { capacityFromObjects, KubernetesCapacityProvider } from './kubernetes.js';
export { capacityFromSamples, ksmSanitize, PrometheusCapacityProvider } from './prometheus.js';
export { CapacityError, type CapacityProvider } from './types.js';

/** A provider whose snapshot gives up (CapacityError) after `ms`, also aborting the caller's signal chain. */
export function withTimeout(provider: CapacityProvider, ms: number, source: string): CapacityProvider {
  return {
    async snapshot(signal?: AbortSignal): Promise<CapacitySnapshot> {
      const timeout = AbortSignal.timeout(ms);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () =>
          reject(new CapacityError(timeout.aborted ? `no snapshot within ${ms} ms` : 'aborted', source));
        combined.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([provider.snapshot(combined), aborted]);
      } finally {
        if (onAbort) combined.removeEventListener('abort', onAbort);
      }
    },
  };
}

export function createCapacityProvider(
  config: AdvisorConfig,
  deps: { kubeConfig?: k8s.KubeConfig; fetch?: typeof fetch } = {},
): CapacityProvider {
  const c = config.capacity;
  const ms = c.timeoutSeconds * 1000;
  if (c.source === 'prometheus') {
    if (!c.prometheusUrl)
      throw new Error('advisor.capacity.prometheusUrl is required for source "prometheus"');
    const provider = new PrometheusCapacityProvider({
      url: c.prometheusUrl,
      nodeFilter: c.nodeSelector,
      resourceNames: config.allowed.gpu.filter((g) => g !== 'none'),
      timeoutMs: ms,
      extraMatchers: c.prometheusMatchers,
      fetch: deps.fetch,
    });
    return withTimeout(provider, ms, 'prometheus');
  }
  const kc = deps.kubeConfig ?? loadDefaultKubeConfig();
  const provider = new KubernetesCapacityProvider(kc.makeApiClient(k8s.CoreV1Api), {
    nodeFilter: c.nodeSelector,
  });
  return withTimeout(provider, ms, 'kubernetes');
}

function loadDefaultKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return kc;
}
