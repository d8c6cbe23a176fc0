/**
 * What this machine charges a process for one sleep and wake-up: a child process runs a timer that
 * does nothing every 10 ms for 2 s and reports its CPU time per tick. On bare metal that is a few
 * µs; on some VMs (a paravirtualised vCPU halting and being woken) it is tens to hundreds, and then
 * CPU per update is set by how often each process sleeps and wakes, not by the work it does.
 */
import { execFileSync } from 'node:child_process';

const PROBE = `
let n = 0; const c0 = process.cpuUsage(); const t0 = Date.now();
const h = setInterval(() => { n++; if (Date.now() - t0 >= 2000) { clearInterval(h); const c = process.cpuUsage(c0); process.stdout.write(String((c.user + c.system) / n)); } }, 10);
`;

/** CPU µs per sleep/wake cycle of an idle process on this machine. */
export function wakeCostUs(): number {
  return Math.round(Number(execFileSync(process.execPath, ['-e', PROBE]).toString()) * 10) / 10;
}
