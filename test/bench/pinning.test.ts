/**
 * The benchmark's CPU pinning (bench/pinning.ts): the load generator stays on its CPU, and a child
 * started through onEveryCpu (the page scenario's browser) may run on every CPU.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedCpus, setUpPinning } from '../../bench/pinning';

/** The CPU list of a child started with `command` (it reads its own /proc status). */
const childAllowed = (command = { command: 'cat', args: ['/proc/self/status'] }) =>
  /Cpus_allowed_list:\s*(\S+)/.exec(execFileSync(command.command, command.args).toString())?.[1];
const allowed = () => childAllowed();
const ownAllowed = () => allowedCpus(process.pid);
const everyCpu = cpus().length > 1 ? `0-${cpus().length - 1}` : '0';

afterAll(() => {
  // This test process goes back to every CPU.
  if (cpus().length > 1) execFileSync('taskset', ['-cp', everyCpu, String(process.pid)], { stdio: 'ignore' });
});

describe('benchmark pinning', () => {
  it('starts children on every CPU through onEveryCpu, and keeps the generator on its own', async () => {
    const pinning = setUpPinning({});
    if (pinning.generatorCpu === null) {
      // One CPU or no taskset: nothing is pinned, and onEveryCpu only runs what it is given.
      expect(await pinning.onEveryCpu(async () => 'ran')).toBe('ran');
      return;
    }
    expect(ownAllowed()).toBe(pinning.generatorCpu);
    expect(allowed()).toBe(pinning.generatorCpu);
    expect(await pinning.onEveryCpu(async () => allowed())).toBe(everyCpu);
    expect(ownAllowed()).toBe(pinning.generatorCpu);
    expect(childAllowed(pinning.wrap('cat', ['/proc/self/status']))).toBe(pinning.serverCpu);
  });
});
