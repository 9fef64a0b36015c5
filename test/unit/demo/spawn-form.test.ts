// Runs the Python unit tests of the demo spawn form (deploy/demo/test_spawn_form.py): the form is
// Python because JupyterHub requires it, its tests stay beside it, and this file puts them in the
// unit tier. Needs only python3 (the form module is pure standard library).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

test('the spawn form validates and applies every user_options key (python unittest)', () => {
  const run = spawnSync(
    process.env.SPAWN_DOCTOR_PYTHON ?? 'python3',
    ['-m', 'unittest', 'discover', '-s', 'deploy/demo', '-p', 'test_*.py', '-v'],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.error, undefined, `python3 could not run: ${run.error?.message}`);
  assert.equal(run.status, 0, output);
  const ran = Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0);
  assert.ok(ran >= 17, `expected the form's tests to run, got:\n${output}`);
});
