// `spawn-doctor run`: the long-running service. Exits non-zero on an invalid config; ends cleanly
// (lease released, watches closed) on SIGTERM/SIGINT.
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { createLogger, startService } from '../service/index.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('watch singleuser pods, stop doomed spawns through JupyterHub and explain why')
    .option(
      '-c, --config <file>',
      'YAML config (default: $SPAWN_DOCTOR_CONFIG; none needed as a JupyterHub service)',
    )
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .action(async (opts: { config?: string; kubeconfig?: string }) => {
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(opts.config, process.env);
      } catch (err) {
        process.stderr.write(`spawn-doctor: ${err instanceof ConfigError ? err.message : String(err)}\n`);
        process.exitCode = 2;
        return;
      }
      const log = createLogger(config.logLevel);
      let service: Awaited<ReturnType<typeof startService>>;
      try {
        service = await startService({
          config,
          log,
          ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        });
      } catch (err) {
        log.fatal({ err }, 'spawn-doctor could not start');
        process.exitCode = 1;
        return;
      }
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 15_000);
        force.unref();
        service
          .close()
          .catch((err) => log.error({ err }, 'error while shutting down'))
          .finally(() => {
            clearTimeout(force);
            process.exit(0);
          });
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      // Nothing may crash the service: log and carry on.
      process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
    });
}
