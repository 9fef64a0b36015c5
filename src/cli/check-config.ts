// `spawn-doctor check-config`: validates a config file (or the zero config of a managed service)
// and prints the effective config, or every problem with its path (exit code 2).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, effectiveConfig, loadConfig } from '../config/load.js';

export function registerCheckConfig(program: Command): void {
  program
    .command('check-config')
    .description('validate a config file and print the effective config (defaults filled in)')
    .option(
      '-c, --config <file>',
      'YAML config (default: $SPAWN_DOCTOR_CONFIG; none: the managed-service zero config)',
    )
    .option('--json', 'print the effective config as JSON instead of YAML')
    .action((opts: { config?: string; json?: boolean }) => {
      try {
        const config = loadConfig(opts.config, process.env);
        const eff = effectiveConfig(config);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(eff, null, 2)}\n`
            : `# effective config of ${config.source}\n${stringify(eff)}`,
        );
      } catch (err) {
        process.stderr.write(`spawn-doctor: ${err instanceof ConfigError ? err.message : String(err)}\n`);
        process.exitCode = 2;
      }
    });
}
