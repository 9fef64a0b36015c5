// Placeholder until the owning change lands; replaced by the real subcommand.
import type { Command } from 'commander';

export function registerClassify(program: Command): void {
  program
    .command('classify')
    .description('(not built yet)')
    .action(() => {
      process.stderr.write('spawn-doctor classify: not built yet\n');
      process.exitCode = 2;
    });
}
