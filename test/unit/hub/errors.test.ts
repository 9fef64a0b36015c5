import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerKind } from '../../../src/hub/cancel.js';
import { hubErrorMessage } from '../../../src/hub/errors.js';

const http = (status: number, body = '') => ({
  kind: 'http' as const,
  status,
  message: hubErrorMessage(body),
});

test('202 and 204 are success (stop pending / stopped)', () => {
  assert.equal(answerKind(http(204)), 'accepted');
  assert.equal(answerKind(http(202)), 'accepted');
});

test("JupyterHub 4.x's refusal to stop a pending spawn is recognised from its JSON error", () => {
  // The body JupyterHub 4.1 writes for `raise web.HTTPError(400, f"{log_name} is pending spawn, please wait")`.
  const body = JSON.stringify({ status: 400, message: "alice's server is pending spawn, please wait" });
  assert.equal(answerKind(http(400, body)), 'pending-refused');
});

test('other 400s are refusals, not the old-hub case', () => {
  const body = JSON.stringify({ status: 400, message: 'Cannot stop a server while it is being renamed' });
  assert.equal(answerKind(http(400, body)), 'refused');
  assert.equal(answerKind(http(400, '{"status":400,"message":"Named servers are not enabled."}')), 'refused');
});

test('404 and auth errors; 5xx, 429 and network failures are ambiguous (the hub may have acted)', () => {
  assert.equal(answerKind(http(404, '{"status":404,"message":"Not Found"}')), 'not-found');
  assert.equal(
    answerKind(
      http(
        403,
        '{"status":403,"message":"Action is not authorized with current scopes; requires any of [delete:servers]"}',
      ),
    ),
    'unauthorized',
  );
  assert.equal(answerKind(http(401)), 'unauthorized');
  // JupyterHub >= 5.1 answers 500 "pending spawn" after it has cancelled the spawn (issue #10).
  assert.equal(answerKind(http(500, '{"status":500,"message":"Internal Server Error"}')), 'ambiguous');
  assert.equal(answerKind(http(503, '<html>Service Unavailable</html>')), 'ambiguous');
  assert.equal(answerKind(http(429)), 'ambiguous');
  assert.equal(answerKind({ kind: 'network', message: 'socket hang up (ECONNRESET)' }), 'ambiguous');
  assert.equal(answerKind(http(418)), 'refused');
});

test('hubErrorMessage takes the JSON message or squashes and shortens text', () => {
  assert.equal(hubErrorMessage('{"status":400,"message":"x"}'), 'x');
  assert.equal(hubErrorMessage('  a\n\n b  '), 'a b');
  assert.equal(hubErrorMessage('y'.repeat(900)).length, 500);
  assert.equal(hubErrorMessage('{"message": 5}'), '{"message": 5}');
});
