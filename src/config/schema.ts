// The service's YAML config (DESIGN section 6). Every object is strict so that a typo is an error
// with its path, never a silently ignored key.
import { z } from 'zod';
import { advisorConfigSchema } from '../advice/config.js';
import { CATEGORIES, type Category } from '../diagnosis/types.js';
import { parseSelector } from '../kube/selector.js';
import { pluginsConfigSchema } from '../plugins/config.js';

/** A Kubernetes label selector in its string form, e.g. `component=singleuser-server`. */
const labelSelector = z
  .string()
  .max(1000)
  .superRefine((value, ctx) => {
    try {
      parseSelector(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a label selector: ${(err as Error).message}` });
    }
  });

const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name')
  .max(63);

export const hubConfigSchema = z
  .object({
    name: z.string().min(1).max(63),
    /** The hub's REST API base, e.g. `http://hub:8081/hub/api`. */
    apiUrl: z.url(),
    tokenFile: z.string().min(1).optional(),
    tokenEnv: z.string().min(1).optional(),
    /** Pods in these namespaces belong to this hub. */
    namespaces: z.array(namespaceName).optional(),
    /** Or: pods in namespaces whose labels match. */
    namespaceSelector: labelSelector.optional(),
    /** Or: pods whose labels match (e.g. `release=prod`). */
    labelSelector: labelSelector.optional(),
  })
  .strict()
  .refine((h) => !(h.tokenFile && h.tokenEnv), {
    message: 'give either tokenFile or tokenEnv, not both',
    path: ['tokenFile'],
  });

export const categoryPolicySchema = z
  .object({
    action: z.enum(['stop', 'wait', 'notify', 'none']),
    /** Seconds the decisive evidence must persist before acting on it. */
    graceSeconds: z.number().min(0).max(86400),
    /** For `wait`-then-stop categories: the longest wait; 0 means no limit. */
    budgetSeconds: z.number().min(0).max(86400),
  })
  .strict();

export type CategoryPolicy = z.infer<typeof categoryPolicySchema>;

const categoryOverrides = z.partialRecord(z.enum(CATEGORIES), categoryPolicySchema.partial()).default({});

export const configSchema = z
  .object({
    hubs: z.array(hubConfigSchema).default([]),
    kube: z
      .object({
        /** Empty: cluster-wide. Per-user namespaces want cluster-wide with a pod selector. */
        namespaces: z.array(namespaceName).default([]),
        podSelector: labelSelector.default('component=singleuser-server'),
        /** A full relist this often, to repair anything a watch missed. */
        resyncSeconds: z.number().int().min(10).max(86400).default(300),
      })
      .strict()
      .default({ namespaces: [], podSelector: 'component=singleuser-server', resyncSeconds: 300 }),
    support: z
      .object({
        contact: z.string().max(320).optional(),
        docs: z.url().optional(),
      })
      .strict()
      .default({}),
    languages: z
      .array(z.enum(['en', 'cs']))
      .min(1)
      .default(['en', 'cs']),
    cleanupEvents: z.boolean().default(true),
    categories: categoryOverrides,
    progressStreamWaitSeconds: z.number().min(0).max(60).default(3),
    progressNotes: z
      .object({
        enabled: z.boolean().default(true),
        /** A new SpawnProgress note at most this often per pod while an image is pulling. */
        intervalSeconds: z.number().int().min(5).max(3600).default(30),
      })
      .strict()
      .default({ enabled: true, intervalSeconds: 30 }),
    volumeAttachments: z
      .object({
        /**
         * A VolumeAttachment of a watched CSI driver still not attached this long after the pod
         * needed it is a failed attach (its external attacher normally acts within seconds; the
         * attach-detach controller itself waits 2 minutes). 0 turns the watch off.
         */
        timeoutSeconds: z.number().int().min(0).max(3600).default(20),
        drivers: z.array(z.string().min(1).max(253)).default(['csi-sshfs']),
      })
      .strict()
      .default({ timeoutSeconds: 20, drivers: ['csi-sshfs'] }),
    server: z
      .object({
        host: z.string().min(1).default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(9090),
        /** How many recent diagnoses `/api/diagnoses` keeps. */
        recentDiagnoses: z.number().int().min(0).max(10000).default(200),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 9090, recentDiagnoses: 200 }),
    leaderElection: z
      .object({
        enabled: z.boolean().default(false),
        namespace: namespaceName.optional(),
        leaseName: z.string().min(1).max(253).default('spawn-doctor'),
        leaseDurationSeconds: z.number().int().min(2).max(60).default(10),
        renewSeconds: z.number().int().min(1).max(30).default(2),
      })
      .strict()
      .refine((l) => l.renewSeconds < l.leaseDurationSeconds, {
        message: 'renewSeconds must be below leaseDurationSeconds',
        path: ['renewSeconds'],
      })
      .default({ enabled: false, leaseName: 'spawn-doctor', leaseDurationSeconds: 10, renewSeconds: 2 }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    plugins: pluginsConfigSchema,
    advisor: advisorConfigSchema.default(advisorConfigSchema.parse({})),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.infer<typeof configSchema>;
export type HubConfig = z.infer<typeof hubConfigSchema>;

/** The effective config: category overrides merged over the defaults, every category present. */
export type Config = Omit<ParsedConfig, 'categories'> & {
  categories: Record<Category, CategoryPolicy>;
  /** Where the config came from (file path, 'managed-service' or 'defaults'), for logs. */
  source: string;
  /** Directory that relative paths (plugins, token files) resolve against. */
  baseDir: string;
};
