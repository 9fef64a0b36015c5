// Start-up family: Warnings that are usually harmless while a notebook server starts. They are real
// Warnings (the hub's event log shows them in red), so they are not `normal`; but they are no reason
// to stop the spawn: a readiness probe fails until the server listens, the kubelet trims a node's
// long DNS configuration, an optional pull secret is missing. If the trouble is real, a decisive
// event follows (the kubelet restarts a container that fails its liveness probe: a crash loop).
// Sources: pkg/kubelet/prober (Unhealthy, ProbeWarning), pkg/kubelet/network/dns/dns.go
// (DNSConfigForming, MissingClusterDNS), pkg/kubelet/kubelet_pods.go (FailedToRetrieveImagePullSecret).
import type { Rule } from '../rule.js';
import { type Family, runRules } from '../rule.js';

const benign = (id: string, pattern: RegExp, reasons?: readonly string[]): Rule => ({
  id: `startup.${id}`,
  category: 'startup.benign_warning',
  strength: 'benign',
  topic: 'pod',
  pattern,
  ...(reasons ? { reasons } : {}),
});

const RULES: readonly Rule[] = [
  benign('probe', /^(?:Readiness|Liveness|Startup) probe (?:failed|errored)\b/),
  benign('probe-status', /[\s\S]*/, ['Unhealthy', 'ProbeWarning']),
  benign('dns', /^(?:Nameserver|Search Line) limits were exceeded\b/),
  benign('cluster-dns', /kubelet does not have ClusterDNS IP configured/),
  benign('dns-status', /[\s\S]*/, ['DNSConfigForming', 'MissingClusterDNS']),
  benign('pull-secret', /^Unable to retrieve some image pull secrets\b/),
  benign('pull-secret-status', /[\s\S]*/, ['FailedToRetrieveImagePullSecret']),
  // Teardown noise of a pod being replaced, not why a spawn fails.
  benign('teardown', /[\s\S]*/, ['FailedPreStopHook', 'FailedKillPod']),
];

export const startupFamily: Family = (item, ctx) => runRules(RULES, item, ctx);
