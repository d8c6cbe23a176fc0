/**
 * The benchmark's CPU pinning (bench/pinning.ts): the load generator stays on its CPU, and a child
 * started through onEveryCpu (the page scenario's browser) may run on every CPU.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { setUpPinning } from '../../bench/pinning';

const allowed = () => /Cpus_allowed_list:\s*(\S+)/.exec(execFileSync('cat', ['/proc/self/status']).toString())?.[1];
const ownAllowed = () => execFileSync('taskset', ['-cp', String(process.pid)]).toString().trim().split(' ').pop();
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
    const server = pinning.wrap('cat', ['/proc/self/status']);
    const status = execFileSync(server.command, server.args).toString();
    expect(/Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1]).toBe(pinning.serverCpu);
  });
});
