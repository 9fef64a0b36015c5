// Placeholder until the owning change lands; replaced by the real subcommand.
import type { Command } from 'commander';

export function registerCheckConfig(program: Command): void {
  program
    .command('check-config')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('spawn-doctor check-config: not built yet\n');
      process.exitCode = 2;
    });
}
