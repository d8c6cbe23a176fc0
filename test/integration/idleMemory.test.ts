/**
 * The server as npm start runs it (gc exposed) collects garbage once its last room unloaded, and
 * again for the next idle period, and once after most of its rooms unloaded while others stay.
 * Counts from /metrics, not memory figures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChild } from '../helpers/child';
import { createSession, tempDir } from '../helpers/server';
import { connect, synced, waitFor } from '../helpers/yclient';
import { joinMember } from '../../lib/members';

let server: ChildServer | undefined;
afterEach(async () => {
  await server?.kill('SIGKILL');
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server?.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('idle memory release', () => {
  it('runs two full collections after the last room unloads, and none while a room is loaded', async () => {
    server = await startChild(tempDir(), { UNLOAD_DELAY_MS: '100' });
    const s = await createSession(server.url);
    // Creating the session loaded its room; once it unloads the server is idle.
    await until(async () => (await metric('mobflow_idle_gc_total')) === 2, 'the first idle collections');

    const client = connect(server.wsUrl, s.id);
    await synced(client);
    joinMember(client.docs, 'Hello', 1);
    await waitFor(() => client.provider.synced, 'still synced');
    // A loaded room holds collections back, however long it stays.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await metric('mobflow_rooms_loaded')).toBe(1);
    expect(await metric('mobflow_idle_gc_total')).toBe(2);

    client.destroy();
    await until(async () => (await metric('mobflow_idle_gc_total')) === 4, 'collections after the second idle period');
  }, 60_000);

  it('runs one collection once most rooms unloaded, though one stays loaded', async () => {
    server = await startChild(tempDir(), { UNLOAD_DELAY_MS: '100' });
    const staying = connect(server.wsUrl, (await createSession(server.url)).id);
    await synced(staying);
    const leaving = [];
    for (let i = 0; i < 60; i++) leaving.push(connect(server.wsUrl, (await createSession(server.url)).id));
    for (const c of leaving) await synced(c);
    expect(await metric('mobflow_rooms_loaded')).toBe(61);
    const idleBefore = await metric('mobflow_idle_gc_total');
    expect(await metric('mobflow_drop_gc_total')).toBe(0);

    for (const c of leaving) c.destroy();
    await until(async () => (await metric('mobflow_drop_gc_total')) === 1, 'the collection after the rooms left');
    expect(await metric('mobflow_rooms_loaded')).toBe(1);
    expect(await metric('mobflow_gc_scheduled')).toBe(0);
    // Not the idle rounds: a room is still loaded.
    expect(await metric('mobflow_idle_gc_total')).toBe(idleBefore);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await metric('mobflow_drop_gc_total')).toBe(1);
    staying.destroy();
  }, 60_000);
});
