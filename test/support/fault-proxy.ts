// A fault-injecting HTTP proxy in front of a hub's API, for spawn-doctor's side of the hub: it
// forwards everything (streams included) unless a rule says otherwise, and logs every request
// with what became of it. Rules, first match wins, each for `times` requests (default: all):
//   - answer: reply with this status without forwarding (a proxy or load balancer failing);
//   - swallow: forward, wait for the hub's answer, then reply with this status instead (the hub
//     acted, the answer got lost);
//   - hold: keep the request, forward nothing, until release() (then forwarded) or the client
//     goes away (then dropped: it never reaches the hub);
//   - reset: close the connection without an answer.
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultAction =
  | { kind: 'answer'; status: number; body?: string }
  | { kind: 'swallow'; status: number; body?: string }
  | { kind: 'hold' }
  | { kind: 'reset' };

export interface FaultRule {
  method?: string;
  path: RegExp;
  action: FaultAction;
  /** How many matching requests it applies to (then it is spent). Default: unlimited. */
  times?: number;
}

export interface ProxiedRequest {
  at: number;
  method: string;
  path: string;
  /** What happened: forwarded (with the hub's status), answered, swallowed, held, dropped, reset. */
  fate: 'forwarded' | 'answered' | 'swallowed' | 'held' | 'dropped' | 'reset' | 'error';
  status?: number;
}

export interface FaultProxy {
  /** The proxy's base URL, e.g. http://127.0.0.1:PORT (put `/hub/api` after it). */
  readonly url: string;
  rules: FaultRule[];
  readonly log: ProxiedRequest[];
  /** Forwards every held request now. */
  release(): void;
  /** Resolves when a request matching the predicate arrives (already arrived counts). */
  seen(test: (r: ProxiedRequest) => boolean, timeoutMs?: number): Promise<ProxiedRequest>;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const log: ProxiedRequest[] = [];
  const held: Array<() => void> = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  const state = { rules: [] as FaultRule[] };

  const note = (r: ProxiedRequest) => {
    log.push(r);
    for (const w of [...waiters]) w();
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    entry: ProxiedRequest,
    replace?: FaultAction,
  ) => {
    const up = request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        entry.status = answer.statusCode;
        if (replace && replace.kind === 'swallow') {
          answer.resume();
          answer.on('end', () => {
            entry.fate = 'swallowed';
            res.writeHead(replace.status, { 'Content-Type': 'application/json' });
            res.end(
              replace.body ??
                JSON.stringify({ status: replace.status, message: 'injected by the fault proxy' }),
            );
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => {
      entry.fate = 'error';
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  };

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const entry: ProxiedRequest = { at: Date.now(), method: req.method ?? 'GET', path, fate: 'forwarded' };
    const rule = state.rules.find(
      (r) =>
        (r.times === undefined || r.times > 0) && (!r.method || r.method === req.method) && r.path.test(path),
    );
    if (rule && rule.times !== undefined) rule.times--;
    const action = rule?.action;
    if (!action) {
      note(entry);
      return forward(req, res, entry);
    }
    switch (action.kind) {
      case 'answer':
        entry.fate = 'answered';
        entry.status = action.status;
        note(entry);
        req.resume();
        res.writeHead(action.status, { 'Content-Type': 'application/json' });
        res.end(
          action.body ?? JSON.stringify({ status: action.status, message: 'injected by the fault proxy' }),
        );
        return;
      case 'swallow':
        note(entry);
        return forward(req, res, entry, action);
      case 'reset':
        entry.fate = 'reset';
        note(entry);
        req.socket.destroy();
        return;
      case 'hold': {
        entry.fate = 'held';
        note(entry);
        let gone = false;
        res.on('close', () => {
          if (entry.fate === 'held') {
            gone = true;
            entry.fate = 'dropped';
            for (const w of [...waiters]) w();
          }
        });
        held.push(() => {
          if (gone) return;
          entry.fate = 'forwarded';
          forward(req, res, entry);
        });
        return;
      }
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get rules() {
      return state.rules;
    },
    set rules(r: FaultRule[]) {
      state.rules = r;
    },
    log,
    release() {
      for (const go of held.splice(0)) go();
    },
    seen(test, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = log.find(test);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the fault proxy saw no such request within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async stop() {
      held.splice(0);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
