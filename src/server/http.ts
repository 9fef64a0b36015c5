// The service's small HTTP surface (node:http): liveness, readiness, Prometheus metrics and a
// read-only JSON list of recent diagnoses. Nothing here changes state.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface RecentDiagnosis {
  at: string;
  namespace: string;
  pod: string;
  uid: string;
  user: string;
  server: string;
  category: string;
  decision: 'wait' | 'notify' | 'stop';
  reason: string;
  outcome?: string;
  params?: Record<string, unknown>;
}

export interface ServerState {
  synced(): boolean;
  leader(): boolean;
  leaderElection: boolean;
  recent(): RecentDiagnosis[];
}

export interface StatusServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

export async function startStatusServer(
  opts: { host: string; port: number },
  state: ServerState,
  metrics: Metrics,
): Promise<StatusServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'method not allowed\n');
      return;
    }
    // JupyterHub proxies a managed service under /services/<name>/; accept that prefix too.
    const route = path.replace(/^\/services\/[^/]+/, '') || '/';
    switch (route) {
      case '/healthz':
        send(res, 200, 'text/plain', 'ok\n');
        return;
      case '/readyz': {
        const synced = state.synced();
        const body = {
          ready: synced,
          informersSynced: synced,
          leader: state.leader(),
          role: !state.leaderElection ? 'single' : state.leader() ? 'leader' : 'follower',
        };
        send(res, synced ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
        return;
      }
      case '/metrics':
        metrics.registry
          .metrics()
          .then((text) => send(res, 200, metrics.registry.contentType, text))
          .catch((err) => send(res, 500, 'text/plain', `metrics failed: ${err}\n`));
        return;
      case '/api/diagnoses':
        send(res, 200, 'application/json', `${JSON.stringify({ diagnoses: state.recent() })}\n`);
        return;
      default:
        send(res, 404, 'text/plain', 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
