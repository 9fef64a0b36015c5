// Placeholder until the owning change lands; replaced by the real subcommand.
import type { Command } from 'commander';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('spawn-doctor run: not built yet\n');
      process.exitCode = 2;
    });
}
