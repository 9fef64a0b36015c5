// A Server-Sent Events parser (the WHATWG "event stream" format), fed arbitrary text chunks.
// Pure and total: any input yields zero or more `data` payloads and never throws. Only what the
// hub's progress stream uses is kept (the data of each message); `event:`, `id:`, `retry:` and
// comment lines are read and ignored.

/** Longest payload we buffer; a stream that never ends a message cannot exhaust memory. */
const MAX_MESSAGE_CHARS = 1_000_000;

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;
  private overflow = false;
  /** True when the previous chunk ended in '\r' (a following '\n' belongs to the same line end). */
  private pendingCR = false;

  /** Feeds a chunk; returns the data of every message completed by it. */
  push(chunk: string): string[] {
    let text = chunk;
    if (this.pendingCR && text.startsWith('\n')) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    const out: string[] = [];
    for (;;) {
      const m = /\r\n|\n|\r/.exec(this.buffer);
      if (!m) break;
      // A lone '\r' at the very end may be the first half of '\r\n' split across chunks.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) {
        this.pendingCR = true;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const done = this.line(line);
      if (done !== undefined) out.push(done);
    }
    if (this.buffer.length > MAX_MESSAGE_CHARS) {
      // An endless line: drop it and the message it belongs to.
      this.buffer = '';
      this.overflow = true;
    }
    return out;
  }

  /** The stream ended: an unterminated message is discarded, as the format says. */
  end(): string[] {
    this.buffer = '';
    this.reset();
    return [];
  }

  private reset(): void {
    this.data = [];
    this.dataChars = 0;
    this.overflow = false;
  }

  private line(line: string): string | undefined {
    if (line === '') {
      // A blank line dispatches the message (if it had any data).
      const hadData = this.data.length > 0 && !this.overflow;
      const payload = this.data.join('\n');
      this.reset();
      return hadData ? payload : undefined;
    }
    if (line.startsWith(':')) return undefined; // comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.dataChars += value.length + 1;
      if (this.dataChars > MAX_MESSAGE_CHARS) this.overflow = true;
      else this.data.push(value);
    }
    return undefined;
  }
}
