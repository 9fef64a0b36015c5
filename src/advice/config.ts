// Config of the built-in resource advisor (DESIGN section 5). Part of the service's YAML under `advisor:`.
import { z } from 'zod';

export const advisorConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    capacity: z
      .object({
        source: z.enum(['kubernetes', 'prometheus']).default('kubernetes'),
        prometheusUrl: z.url().optional(),
        /** Only nodes with these labels count, e.g. `cerit.io/jupyter-workload=true`. */
        nodeSelector: z.string().default(''),
        timeoutSeconds: z.number().positive().max(60).default(5),
        /** Extra PromQL matchers for the kube-state-metrics series, e.g. `job="kube-state-metrics"`. */
        prometheusMatchers: z
          .string()
          .max(500)
          .regex(
            /^([a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*"\s*,?\s*)*$/,
            'must be PromQL label matchers such as job="kube-state-metrics"',
          )
          .default(''),
      })
      .strict()
      .refine((c) => c.source !== 'prometheus' || c.prometheusUrl, {
        message: 'capacity.source "prometheus" needs capacity.prometheusUrl',
        path: ['prometheusUrl'],
      })
      .default({ source: 'kubernetes', nodeSelector: '', timeoutSeconds: 5, prometheusMatchers: '' }),
    /** The site's allowed form values; suggestions never leave them. */
    allowed: z
      .object({
        cpu: z.array(z.number().positive()).min(1).default([1, 2, 4, 8, 16, 32, 64]),
        memory: z.array(z.number().positive()).min(1).default([1, 2, 4, 8, 16, 32, 64, 128, 256]),
        gpu: z.array(z.string().min(1)).min(1).default(['none', 'nvidia.com/gpu', 'nvidia.com/mig-1g.10gb']),
        gpuCount: z.array(z.number().int().min(0)).min(1).default([0, 1, 2, 3, 4, 7]),
      })
      .strict()
      .default({
        cpu: [1, 2, 4, 8, 16, 32, 64],
        memory: [1, 2, 4, 8, 16, 32, 64, 128, 256],
        gpu: ['none', 'nvidia.com/gpu', 'nvidia.com/mig-1g.10gb'],
        gpuCount: [0, 1, 2, 3, 4, 7],
      }),
    llm: z
      .object({
        baseUrl: z.url(),
        model: z.string().min(1),
        /** File holding the API key; or the env var named by apiKeyEnv. */
        apiKeyFile: z.string().optional(),
        apiKeyEnv: z.string().optional(),
        timeoutSeconds: z.number().positive().max(120).default(8),
        /** Ask for `response_format: json_object`; turn off for backends that reject it. */
        jsonMode: z.boolean().default(true),
      })
      .strict()
      .refine((l) => !(l.apiKeyFile && l.apiKeyEnv), {
        message: 'give either apiKeyFile or apiKeyEnv, not both',
        path: ['apiKeyFile'],
      })
      .optional(),
    maxSuggestions: z.number().int().min(1).max(5).default(3),
  })
  .strict();

export type AdvisorConfig = z.infer<typeof advisorConfigSchema>;
