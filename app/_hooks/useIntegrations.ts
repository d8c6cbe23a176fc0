'use client';

import { useCallback, useEffect, useState } from 'react';
import type { CreatedIntegration, CreateIntegrationBody, IntegrationList, IntegrationView, MobKeyView } from '../../lib/protocol/integrations';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

async function call<T>(url: string, init: RequestInit = {}): Promise<Outcome<T>> {
  try {
    const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
    if (res.status === 204) return { ok: true, value: undefined as T };
    const body = (await res.json().catch(() => null)) as (T & { error?: string }) | null;
    if (!res.ok || body === null) return { ok: false, error: body?.error ?? `the server answered ${res.status}` };
    return { ok: true, value: body };
  } catch {
    return { ok: false, error: 'no answer from the server: check the connection and try again' };
  }
}

/**
 * A session's integrations over the edit-only HTTP routes (they are not in the documents, so a
 * watcher never learns them): the list, the mob.sh room key, and the calls that change them.
 */
export function useIntegrations(room: string) {
  const [items, setItems] = useState<IntegrationView[] | null>(null);
  const [mobKey, setMobKey] = useState<MobKeyView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/sessions/${room}`;

  const reload = useCallback(async () => {
    const [list, key] = await Promise.all([call<IntegrationList>(`${base}/integrations`), call<MobKeyView>(`${base}/mob-key`)]);
    if (list.ok) setItems(list.value.integrations);
    if (key.ok) setMobKey(key.value);
    setError(!list.ok ? list.error : !key.ok ? key.error : null);
  }, [base]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const create = useCallback(
    async (body: CreateIntegrationBody): Promise<Outcome<CreatedIntegration>> => {
      const r = await call<CreatedIntegration>(`${base}/integrations`, { method: 'POST', body: JSON.stringify(body) });
      if (r.ok) setItems((xs) => [...(xs ?? []), r.value]);
      return r;
    },
    [base],
  );

  const revoke = useCallback(
    async (id: string): Promise<Outcome<void>> => {
      const r = await call<void>(`${base}/integrations/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (r.ok) setItems((xs) => (xs ?? []).filter((x) => x.id !== id));
      return r;
    },
    [base],
  );

  const rotateMobKey = useCallback(async (): Promise<Outcome<MobKeyView>> => {
    const r = await call<MobKeyView>(`${base}/mob-key`, { method: 'POST', body: '{}' });
    if (r.ok) setMobKey(r.value);
    return r;
  }, [base]);

  return { items, mobKey, error, create, revoke, rotateMobKey };
}
