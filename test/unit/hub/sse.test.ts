import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SseParser } from '../../../src/hub/sse.js';

function parseAll(chunks: string[]): string[] {
  const p = new SseParser();
  const out = chunks.flatMap((c) => p.push(c));
  return [...out, ...p.end()];
}

test('parses messages the way the hub writes them, with keepalive blank lines in between', () => {
  const stream = '\n\ndata: {"progress": 0, "message": "Server requested"}\n\n\n\ndata: {"progress": 30}\n\n';
  assert.deepEqual(parseAll([stream]), [
    '{"progress": 0, "message": "Server requested"}',
    '{"progress": 30}',
  ]);
});

test('joins multi-line data, ignores comments and other fields, accepts CRLF and CR line ends', () => {
  const stream =
    ': comment\r\nevent: x\r\nid: 7\r\nretry: 10\r\ndata: a\r\ndata:b\r\n\r\ndata: c\r\rdata\n\n';
  assert.deepEqual(parseAll([stream]), ['a\nb', 'c', '']);
});

test('an unterminated last message is discarded', () => {
  assert.deepEqual(parseAll(['data: one\n\ndata: two']), ['one']);
});

test('a CRLF split across chunks is one line end, not two', () => {
  assert.deepEqual(parseAll(['data: x\r', '\n\r', '\n']), ['x']);
});

test('a message without data dispatches nothing', () => {
  assert.deepEqual(parseAll(['event: ping\n\n: only a comment\n\n']), []);
});

test('an endless line is dropped instead of growing without bound', () => {
  const p = new SseParser();
  const huge = `data: ${'x'.repeat(1_100_000)}`;
  assert.deepEqual(p.push(huge), []);
  assert.deepEqual(p.push('\n\ndata: ok\n\n'), ['ok']);
});

test('property: any split of a stream into chunks gives the same messages', () => {
  const line = fc.stringMatching(/^[^\r\n]{0,20}$/);
  const message = fc
    .array(line, { minLength: 1, maxLength: 3 })
    .map((ls) => ls.map((l) => `data: ${l}`).join('\n'));
  const eol = fc.constantFrom('\n', '\r\n', '\r');
  fc.assert(
    fc.property(fc.array(fc.tuple(message, eol), { maxLength: 6 }), fc.array(fc.nat(200)), (msgs, cuts) => {
      const stream = msgs.map(([m, e]) => m.replaceAll('\n', e) + e + e).join('');
      const whole = parseAll([stream]);
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const chunks: string[] = [];
      let prev = 0;
      for (const p of points) {
        chunks.push(stream.slice(prev, p));
        prev = p;
      }
      chunks.push(stream.slice(prev));
      assert.deepEqual(parseAll(chunks), whole);
      assert.equal(whole.length, msgs.length);
    }),
  );
});

test('property: arbitrary input never throws', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' })), (chunks) => {
      parseAll(chunks);
    }),
  );
});
