import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelResultFromResponse, hubErrorMessage } from '../../../src/hub/errors.js';

test('202 and 204 are success (stop pending / stopped)', () => {
  assert.deepEqual(cancelResultFromResponse(204, ''), { kind: 'accepted', status: 204 });
  assert.deepEqual(cancelResultFromResponse(202, ''), { kind: 'accepted', status: 202 });
});

test("JupyterHub 4.x's refusal to stop a pending spawn is recognised from its JSON error", () => {
  // The body JupyterHub 4.1 writes for `raise web.HTTPError(400, f"{log_name} is pending spawn, please wait")`.
  const body = JSON.stringify({ status: 400, message: "alice's server is pending spawn, please wait" });
  const r = cancelResultFromResponse(400, body);
  assert.equal(r.kind, 'pending-refused');
  assert.match((r as { message: string }).message, /is pending spawn/);
});

test('other 400s are refusals, not the old-hub case', () => {
  const body = JSON.stringify({ status: 400, message: 'Cannot stop a server while it is being renamed' });
  assert.equal(cancelResultFromResponse(400, body).kind, 'refused');
  assert.equal(
    cancelResultFromResponse(400, '{"status":400,"message":"Named servers are not enabled."}').kind,
    'refused',
  );
});

test('404, auth errors and transient statuses', () => {
  assert.equal(cancelResultFromResponse(404, '{"status":404,"message":"Not Found"}').kind, 'not-found');
  assert.equal(
    cancelResultFromResponse(
      403,
      '{"status":403,"message":"Action is not authorized with current scopes; requires any of [delete:servers]"}',
    ).kind,
    'unauthorized',
  );
  assert.equal(cancelResultFromResponse(401, '').kind, 'unauthorized');
  assert.equal(cancelResultFromResponse(503, '<html>Service Unavailable</html>').kind, 'unreachable');
  assert.equal(cancelResultFromResponse(429, '').kind, 'unreachable');
  assert.equal(cancelResultFromResponse(418, '').kind, 'refused');
});

test('hubErrorMessage takes the JSON message or squashes and shortens text', () => {
  assert.equal(hubErrorMessage('{"status":400,"message":"x"}'), 'x');
  assert.equal(hubErrorMessage('  a\n\n b  '), 'a b');
  assert.equal(hubErrorMessage('y'.repeat(900)).length, 500);
  assert.equal(hubErrorMessage('{"message": 5}'), '{"message": 5}');
});
