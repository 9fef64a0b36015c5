// Placeholder until the owning change lands; replaced by the real subcommand.
import type { Command } from 'commander';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('spawn-doctor explain: not built yet\n');
      process.exitCode = 2;
    });
}
