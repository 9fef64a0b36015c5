// The contract of the pure core: evidence in, Diagnosis out. Category ids are DESIGN section 3
// (catalogue.ts) and are used by tests, metrics, config and the CLI; never rename one.

// The ids live in the catalogue (one entry per category); re-exported here for the contract's readers.
export { CATEGORIES, type Category, isCategory } from './catalogue.js';

import type { Category } from './catalogue.js';

/** What should happen to the spawn. `none` only for `normal`. */
export type Action = 'wait' | 'notify' | 'stop' | 'none';

export type Severity = 'info' | 'warning' | 'error';

/** Timestamps arrive as ISO strings from JSON and as Date from @kubernetes/client-node. */
export type Timestamp = string | Date;

/** The subset of core/v1 Event (and events.k8s.io/v1 rendered as core/v1) that evidence needs. */
export interface KubeEvent {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: Timestamp;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
  involvedObject?: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    namespace?: string;
    uid?: string;
    fieldPath?: string;
  };
  type?: string; // 'Normal' | 'Warning', but anything may arrive
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: Timestamp | null;
  lastTimestamp?: Timestamp | null;
  eventTime?: Timestamp | null;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  series?: { count?: number; lastObservedTime?: Timestamp };
}

export interface ContainerStateLike {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: Timestamp };
  terminated?: { reason?: string; message?: string; exitCode?: number; finishedAt?: Timestamp };
}

export interface ContainerStatusLike {
  name?: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerStateLike;
  lastState?: ContainerStateLike;
}

export interface ResourceRequirementsLike {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

/** The subset of core/v1 Pod that evidence needs. */
export interface PodLike {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Timestamp;
    deletionTimestamp?: Timestamp | null;
  };
  spec?: {
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    tolerations?: Array<{ key?: string; operator?: string; value?: string; effect?: string }>;
    affinity?: unknown;
    containers?: Array<{ name?: string; image?: string; resources?: ResourceRequirementsLike }>;
    initContainers?: Array<{ name?: string; image?: string; resources?: ResourceRequirementsLike }>;
    volumes?: Array<{
      name?: string;
      persistentVolumeClaim?: { claimName?: string };
      configMap?: { name?: string };
      secret?: { secretName?: string };
      csi?: { driver?: string };
    }>;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}

/**
 * Quantities normalised: `cpu` in cores, `memory` (and `ephemeral-storage`) in bytes,
 * extended resources (e.g. `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`) as counts.
 */
export type ResourceMap = Record<string, number>;

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeCapacity {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocatable: ResourceMap;
  free: ResourceMap;
}

export interface CapacitySnapshot {
  nodes: NodeCapacity[];
  /** Where it came from, e.g. 'kubernetes' or 'prometheus'. */
  source?: string;
  takenAt?: string;
}

/**
 * A CSI VolumeAttachment of one of the pod's claims on its node, for a driver whose attach
 * spawn-doctor watches (config `volumeAttachments`); see attachment.ts.
 */
export interface AttachmentEvidence {
  /** The VolumeAttachment's name. */
  name: string;
  pv: string;
  pvc?: string;
  /** The pod's volume that uses the claim. */
  volume?: string;
  driver: string;
  node: string;
  /** The PV's `volumeAttributes.server` (csi-sshfs: the storage server). */
  storageServer?: string;
  attached: boolean;
  /** The external attacher has put its finalizer on it: it is working on it. */
  acknowledged: boolean;
  attachError?: { message: string; at?: Timestamp };
  /** Seconds this pod has waited for it, as of `observedAt`. */
  waitedSeconds: number;
  /** How long an attach of this driver may take before it counts as failed. */
  timeoutSeconds: number;
  observedAt: Timestamp;
}

export interface Evidence {
  pod?: PodLike;
  events: KubeEvent[];
  capacity?: CapacitySnapshot;
  attachments?: AttachmentEvidence[];
}

/** Parameters extracted from the evidence; each rule fills what it knows. */
export interface DiagnosisParams {
  image?: string;
  registry?: string;
  pvc?: string;
  volume?: string;
  csiDriver?: string;
  storageServer?: string;
  storageUser?: string;
  storagePath?: string;
  /** Resources the pod asks for (sum over containers), normalised as in ResourceMap. */
  requested?: ResourceMap;
  /** Names of the resources that are short (e.g. ['cpu', 'nvidia.com/gpu']). */
  short?: string[];
  /** For `scheduling.unsatisfiable`: the largest allocatable of any node, per short resource. */
  largestAllocatable?: ResourceMap;
  /** With a capacity snapshot: the most any eligible node has free now, per requested resource. */
  largestFree?: ResourceMap;
  taints?: string[];
  selector?: string[];
  container?: string;
  exitCode?: number;
  secret?: string;
  configMap?: string;
  serviceAccount?: string;
  key?: string;
  quota?: string;
  node?: string;
  /** The underlying error in the runtime's or driver's words (e.g. sshfs's `read: Connection reset by peer`). */
  cause?: string;
  /** Pull progress for `image.pulling`. */
  imageSize?: number;
  /** The raw reason and cleaned message of the decisive evidence (for logs and `unknown.warning`). */
  reason?: string;
  message?: string;
}

/** A piece of evidence a diagnosis rests on. */
export interface EvidenceRef {
  kind: 'event' | 'pod-status' | 'volume-attachment';
  reason: string;
  message: string;
  /** Event name or a status path such as `status.containerStatuses[notebook].state.waiting`. */
  ref?: string;
  at?: string;
}

export interface Diagnosis {
  category: Category;
  severity: Severity;
  /** The default action of DESIGN section 3; policy may override it from config. */
  action: Action;
  params: DiagnosisParams;
  evidence: EvidenceRef[];
}
