/**
 * CPU pinning: on a machine with at least two CPUs the load generator (this process) runs on CPU 0
 * and the server under test on the last CPU, so neither steals the other's time and both servers
 * are measured on the same dedicated core. Uses util-linux `taskset`; without it, or with
 * BENCH_PIN=off, nothing is pinned and the report says so.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export interface Pinning {
  /** CPU list given to the servers, or null when unpinned. */
  serverCpu: string | null;
  /** How many CPUs a server may use (1 when pinned). */
  serverCpus: number;
  generatorCpu: string | null;
  /** Wraps a command so that it starts pinned to the server CPU. */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /**
   * Runs `start`, which spawns a child, with this process allowed on every CPU, then pins it back:
   * a child inherits the CPUs of the thread that spawns it, and this process spawns from its main
   * thread. For a browser, a multi-process program that no real visitor runs on a single core.
   */
  onEveryCpu<T>(start: () => Promise<T>): Promise<T>;
}

/** Nothing pinned: servers may use every CPU. */
export const UNPINNED: Pinning = {
  serverCpu: null,
  serverCpus: cpus().length,
  generatorCpu: null,
  wrap: (command, args) => ({ command, args }),
  onEveryCpu: (start) => start(),
};

/** The CPU list a process may run on, as `taskset -p` prints it ("0-3", "0,1"); null when unreadable. */
export function allowedCpus(pid: number): string | null {
  const list = execFileSync('taskset', ['-cp', String(pid)]).toString().trim().split(' ').pop() ?? '';
  return /^[\d,-]+$/.test(list) ? list : null;
}

export function setUpPinning(env: Record<string, string | undefined>): Pinning {
  const count = cpus().length;
  if (env.BENCH_PIN === 'off' || count < 2) return UNPINNED;
  const generatorCpu = '0';
  const serverCpu = String(count - 1);
  // The CPUs this process may use before it is pinned.
  let everyCpu: string;
  try {
    const before = allowedCpus(process.pid);
    if (!before) return UNPINNED;
    everyCpu = before;
    execFileSync('taskset', ['-cp', generatorCpu, String(process.pid)], { stdio: 'ignore' });
  } catch {
    return UNPINNED;
  }
  return {
    serverCpu,
    serverCpus: 1,
    generatorCpu,
    // taskset execs the command: the pid stays the server's own.
    wrap: (command, args) => ({ command: 'taskset', args: ['-c', serverCpu, command, ...args] }),
    async onEveryCpu(start) {
      execFileSync('taskset', ['-cp', everyCpu, String(process.pid)], { stdio: 'ignore' });
      try {
        return await start();
      } finally {
        execFileSync('taskset', ['-cp', generatorCpu, String(process.pid)], { stdio: 'ignore' });
      }
    },
  };
}
