// Go's time.Duration.String(), which the kubelet's messages print ("1.234s", "2m5.1s", "950ms").

export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    out = `${trim(rest.toFixed(3))}ms`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = trim((rest / 1000).toFixed(3));
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
  }
  return neg ? `-${out}` : out;
}

function trim(n: string): string {
  return n.includes('.') ? n.replace(/0+$/, '').replace(/\.$/, '') : n;
}
