// Runs the Python unit tests of the progress_ready_hook sites install (deploy/hub/ready_hook.py,
// deploy/hub/test_ready_hook.py): a cancelled spawn is never reported ready, and only the current
// pod's diagnosis goes with the failure. Needs only python3 (the hook is standard library).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

test('the ready hook tells a cancelled spawn from a ready one (python unittest)', () => {
  const run = spawnSync(
    process.env.SPAWN_DOCTOR_PYTHON ?? 'python3',
    ['-B', '-m', 'unittest', 'discover', '-s', 'deploy/hub', '-p', 'test_*.py', '-v'],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.error, undefined, `python3 could not run: ${run.error?.message}`);
  assert.equal(run.status, 0, output);
  const ran = Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0);
  assert.ok(ran >= 6, `expected the hook's tests to run, got:\n${output}`);
});
