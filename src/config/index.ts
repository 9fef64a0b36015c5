export {
  ConfigError,
  configPath,
  effectiveConfig,
  formatIssues,
  loadConfig,
  parseConfig,
  parseConfigText,
} from './load.js';
export type { CategoryPolicy, Config, ConfigInput, HubConfig } from './schema.js';
export { configSchema } from './schema.js';
