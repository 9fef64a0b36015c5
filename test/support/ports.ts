// Free loopback ports for the servers tests start. Chosen below Linux's ephemeral range
// (32768-60999): a port found free there cannot be taken meanwhile by an outgoing connection, which
// is what made "free now, in use a second later" flaky. Ports handed out in this process are not
// handed out again.
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;
const handedOut = new Set<number>();

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The first port of `count` consecutive free ports. */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
    const ports = Array.from({ length: count }, (_, k) => base + k);
    if (ports.some((p) => handedOut.has(p))) continue;
    const free = await Promise.all(ports.map(portFree));
    if (free.every(Boolean)) {
      for (const p of ports) handedOut.add(p);
      return base;
    }
  }
  throw new Error(`no block of ${count} free loopback ports found in ${LOW}-${HIGH}`);
}

export function freePort(): Promise<number> {
  return freePortBlock(1);
}
