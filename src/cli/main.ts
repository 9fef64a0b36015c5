// spawn-doctor's command line: one module per subcommand, each registering itself.
import { Command } from 'commander';
import { registerCheckConfig } from './check-config.js';
import { registerClassify } from './classify.js';
import { registerExplain } from './explain.js';
import { registerRun } from './run.js';

const program = new Command()
  .name('spawn-doctor')
  .description('Diagnose, stop and explain JupyterHub spawns that cannot start on Kubernetes.')
  .showHelpAfterError();

registerClassify(program);
registerRun(program);
registerExplain(program);
registerCheckConfig(program);

await program.parseAsync(process.argv);
