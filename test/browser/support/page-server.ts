// Stage-1 page server: a test page with <spawn-diagnosis> and a real SSE stream that replays
// progress messages recorded in the shape of the hub's progress API (test/browser/fixtures).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export function buildBundle(): string {
  execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'pipe' });
  return readFileSync('web/dist/spawn-doctor.iife.js', 'utf8');
}

export function fixture(name: string): string[] {
  return readFileSync(new URL(`../fixtures/${name}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n');
}

/** The page: JupyterHub-like frame, `lang="en"` as the stock hub has, theme from ?theme. */
function page(attrs: string, theme: string): string {
  return `<!DOCTYPE html>
<html lang="en" data-bs-theme="${theme}">
<head><meta charset="utf-8"><title>spawn-doctor test page</title>
<style>
  html { color-scheme: ${theme}; }
  body { margin: 0; font-family: system-ui, "DejaVu Sans", sans-serif; background: ${theme === 'dark' ? '#212529' : '#fff'}; color: ${theme === 'dark' ? '#dee2e6' : '#212529'}; }
  nav { padding: .75rem 1.5rem; background: ${theme === 'dark' ? '#2b3035' : '#f8f9fa'}; margin-bottom: 1.5rem; font-weight: 600; }
  main { padding: 0 1.5rem; }
</style>
<script>window.jhdata = { base_url: "/hub/", user: "alice", xsrf_token: "test-xsrf" };</script>
</head>
<body><nav>JupyterHub</nav><main>
<spawn-diagnosis ${attrs}></spawn-diagnosis>
<p id="stock">Your server is starting up.</p>
</main>
<script>
  window.__events = [];
  for (const n of ['diagnosis', 'progress', 'failed', 'ready', 'clear', 'respawn']) {
    document.addEventListener('spawn-doctor-' + n, (e) => {
      window.__events.push({ name: n, detail: JSON.parse(JSON.stringify(e.detail)) });
      if (n === 'diagnosis') window.__card = e.target.shadowRoot.querySelector('.card');
      if (n === 'respawn') e.preventDefault(); // the test plays the host page that starts it
    });
  }
</script>
<script src="/bundle.js"></script>
</body></html>`;
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function startPageServer(bundle: string): Promise<PageServer> {
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const theme = u.searchParams.get('theme') === 'dark' ? 'dark' : 'light';
    if (u.pathname === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else if (u.pathname === '/spawn-pending') {
      const stream = u.searchParams.get('stream') ?? 'image-not-found';
      const attrs = `progress-url="/progress?stream=${encodeURIComponent(stream)}" base-url="/hub/" user="alice" server=""`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(attrs, theme));
    } else if (u.pathname === '/not-running') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(page('mode="remembered" user="alice" server=""', theme));
    } else if (u.pathname === '/progress') {
      const lines = fixture(u.searchParams.get('stream') ?? 'image-not-found');
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      open.add(res);
      res.on('close', () => open.delete(res));
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        const line = lines[i++];
        if (line === undefined) return; // like the hub while a spawn is still pending: stay open
        res.write(`data: ${line}\n\n`);
        if (JSON.parse(line).failed) {
          res.end(); // the hub ends the stream after the failure
          return;
        }
        setTimeout(next, 120);
      };
      setTimeout(next, 150);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const r of open) r.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
