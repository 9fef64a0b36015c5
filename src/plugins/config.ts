// Config of site plugins (callbacks). Part of the service's YAML under `plugins:`.
import { z } from 'zod';

export const pluginConfigSchema = z
  .object({
    /** A JavaScript/TypeScript file path (relative to the config file) or a package name. */
    module: z.string().min(1),
    /** Per-call timeout; a plugin that takes longer is abandoned (logged, counted). */
    timeoutSeconds: z.number().positive().max(120).default(5),
    /** Free-form options handed to the plugin's factory, if it exports one. */
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const pluginsConfigSchema = z.array(pluginConfigSchema).default([]);

export type PluginConfig = z.infer<typeof pluginConfigSchema>;
export type PluginsConfig = z.infer<typeof pluginsConfigSchema>;
