/**
 * A browser that already joined a session as a member (its own earlier tab): the member's token,
 * fetched the way the page gets one (socket.io 'member:join'), put into the page's storage before
 * it loads, so the page recognises the member without asking anything.
 */
import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { SOCKET_PATH } from '../../lib/protocol/events';
import { api, joinAs } from './server';

export async function memberToken(base: string, session: string, name: string): Promise<{ memberId: string; token: string }> {
  const snap = await api<{ members: { id: string; name: string }[] }>(base, `/api/sessions/${session}`);
  const existing = snap.body.members?.find((m) => m.name === name);
  const socket = io(base, { path: SOCKET_PATH, auth: { room: session }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  try {
    const { member, token } = await joinAs(socket, name, existing?.id);
    return { memberId: member.id, token };
  } finally {
    socket.close();
  }
}

/** Makes `page` a browser that is `name` in `session` (joined before), from its first script on. */
export async function rememberMember(page: Page, base: string, session: string, name: string): Promise<void> {
  const { memberId, token } = await memberToken(base, session, name);
  await page.addInitScript(
    ([n, s, id, t]) => {
      window.localStorage.setItem('mobflow:name', n as string);
      window.localStorage.setItem(`mobflow:member:${s}`, id as string);
      window.localStorage.setItem(`mobflow:token:${s}`, t as string);
    },
    [name, session, memberId, token],
  );
}
