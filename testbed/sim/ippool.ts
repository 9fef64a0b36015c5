// Pod IPs from a /16 of 127/8 (127.1.0.0/16 by default): every address of 127/8 is local on
// Linux, so a server bound to a pod IP is reachable from this machine like a pod on a flat
// network.
export class IpPool {
  private readonly used = new Set<string>();
  private cursor = 2;

  constructor(private readonly net = '127.1') {
    if (!/^127\.\d{1,3}$/.test(net) || Number(net.split('.')[1]) > 255)
      throw new Error(`pod network must be 127.N, not ${net}`);
  }

  reserve(ip: string): void {
    this.used.add(ip);
  }

  release(ip: string | undefined): void {
    if (ip) this.used.delete(ip);
  }

  allocate(): string {
    for (let i = 0; i < 65_534; i++) {
      const n = ((this.cursor - 2 + i) % 65_532) + 2;
      const ip = `${this.net}.${n >> 8}.${n & 255}`;
      if ((n & 255) === 0 || (n & 255) === 255 || this.used.has(ip)) continue;
      this.cursor = n + 1;
      this.used.add(ip);
      return ip;
    }
    throw new Error(`no free pod IP left in ${this.net}.0.0/16`);
  }
}
