// Every row of the demo's trigger table (deploy/demo/spawn_form.py TRIGGERS, printed by
// `make demo`) does what the table says, on the real hub with spawn-doctor: the working rows
// give a server that answers, each error row ends its spawn with the named diagnosis, and the
// form-error row is refused before any pod exists.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type Hub, repoRoot, startHub, type UserOptions } from '../../support/hub.js';

interface Trigger {
  what: string;
  options: UserOptions;
  expect: string;
}
interface Recent {
  user: string;
  server: string;
  category: string;
  decision: string;
}

const triggers = JSON.parse(
  execFileSync('python3', ['deploy/demo/spawn_form.py', '--json'], { cwd: repoRoot, encoding: 'utf8' }),
) as Trigger[];
const user = `trig-${process.pid % 100000}`;
let hub: Hub;

before(async () => {
  hub = await startHub({ version: 6, spawnDoctor: { enabled: true }, name: 'demo-triggers' });
  await hub.createUser(user);
});

after(async () => {
  await hub?.stop();
});

async function diagnoses(): Promise<Recent[]> {
  const res = await fetch(`${hub.serviceUrl}/api/diagnoses`);
  return ((await res.json()) as { diagnoses: Recent[] }).diagnoses;
}

test('the trigger table holds one case of each kind', () => {
  const kinds = new Set(triggers.map((t) => (t.expect.includes('.') ? 'error' : t.expect)));
  assert.deepEqual([...kinds].sort(), ['error', 'form-error', 'ready']);
  assert.ok(triggers.length >= 15);
});

test('each row of the trigger table does what it says', { timeout: 12 * 60_000 }, async () => {
  const outcomes = await Promise.all(
    triggers.map(async (t, i): Promise<string | undefined> => {
      const server = `t${i}`;
      const start = await hub.startServer(user, server, t.options);
      if (t.expect === 'form-error') {
        return start.status === 400 ? undefined : `${t.what}: HTTP ${start.status}, expected 400`;
      }
      if (start.status !== 201 && start.status !== 202) return `${t.what}: HTTP ${start.status}`;
      if (t.expect === 'ready') {
        const s = await hub.waitFor(
          async () => {
            const st = await hub.serverState(user, server);
            return st?.ready || !st?.pending ? { st } : undefined;
          },
          { timeoutMs: 8 * 60_000, intervalMs: 1000, what: `${t.what} to end its spawn` },
        );
        if (!s.st?.ready) return `${t.what}: the spawn failed (see ${hub.logFile})`;
        const res = await fetch(`${hub.url}${s.st.url}api`, {
          headers: { Authorization: `token ${hub.token}` },
        });
        return res.status === 200 ? undefined : `${t.what}: the server answers HTTP ${res.status}`;
      }
      // an error row must end neither pending nor running (JupyterHub shows a cancelled spawn
      // as ready for a moment while it stops it, so wait for the end rather than the first state)
      try {
        await hub.waitFor(
          async () => {
            const st = await hub.serverState(user, server);
            return !st || (!st.pending && !st.ready);
          },
          { timeoutMs: 8 * 60_000, intervalMs: 1000, what: `${t.what} to end its spawn` },
        );
      } catch (e) {
        return `${t.what}: ${(e as Error).message}`;
      }
      const mine = (await diagnoses()).filter(
        (d) => d.user === user && d.server === server && d.decision === 'stop',
      );
      const hit = mine.some((d) =>
        t.expect.endsWith('.') ? d.category.startsWith(t.expect) : d.category === t.expect,
      );
      return hit
        ? undefined
        : `${t.what}: diagnosed ${JSON.stringify(mine.map((d) => d.category))}, expected ${t.expect}`;
    }),
  );
  assert.deepEqual(
    outcomes.filter((o) => o !== undefined),
    [],
  );
});
