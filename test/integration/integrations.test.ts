/**
 * Managing a session's integrations over HTTP: an edit link creates webhook endpoints (the secret
 * answered once), chat destinations (checked as destination.ts checks them) and rotates the mob.sh
 * room key; listings never carry a secret or a chat URL; revoking stops the endpoint at once. A
 * watch link gets 404 on every edit route (all of them, from the route table), so it can neither
 * create, list nor revoke integrations, nor read the room key; what it reads never holds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedIntegration, IntegrationList, MobKeyView } from '../../lib/protocol/integrations';
import { INTEGRATION_LIMITS } from '../../lib/protocol/integrations';
import { api, createSession, startServer, type TestServer } from '../helpers/server';

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.stop());

const create = (id: string, body: unknown) => api<CreatedIntegration & { error?: string }>(t.url, `/api/sessions/${id}/integrations`, { body });
const list = (id: string) => api<IntegrationList>(t.url, `/api/sessions/${id}/integrations`);
const del = (id: string, integration: string) => fetch(`${t.url}/api/sessions/${id}/integrations/${integration}`, { method: 'DELETE' });

/** A concrete path for a route pattern: the first group is the token, later ones a plausible value. */
function pathOf(pattern: RegExp, token: string): string {
  let first = true;
  return pattern.source
    .replace(/^\^|\$$/g, '')
    .replace(/\\\/\?$/, '')
    .replace(/\(md\|json\)/, 'json')
    .replace(/\(\[\^\/\]\+\)/g, () => {
      const v = first ? token : 'AAAAAAAAAAAAAAAAAAAAAA';
      first = false;
      return v;
    })
    .replace(/\\(.)/g, '$1');
}

describe('integrations of a session', () => {
  it('creates a webhook endpoint and shows its secret once, never in a listing', async () => {
    const s = await createSession(t.url);
    const gh = await create(s.id, { provider: 'github', label: 'payments repo' });
    expect(gh.status).toBe(201);
    expect(gh.body).toMatchObject({ provider: 'github', label: 'payments repo', auth: 'hmac', destination: null });
    expect(gh.body.url).toBe(`${t.url}/api/hooks/${gh.body.id}`);
    expect(gh.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const gl = await create(s.id, { provider: 'gitlab' });
    expect(gl.body).toMatchObject({ label: 'GitLab', auth: 'token' });
    const ce = await create(s.id, { provider: 'cloudevents', auth: 'signing' });
    expect(ce.body.secret).toMatch(/^whsec_/);

    const listed = await list(s.id);
    expect(listed.status).toBe(200);
    expect(listed.body.integrations.map((i) => i.provider)).toEqual(['github', 'gitlab', 'cloudevents']);
    const text = JSON.stringify(listed.body);
    for (const secret of [gh.body.secret, gl.body.secret, ce.body.secret]) expect(text).not.toContain(secret);
    expect(text).not.toContain('"secret"');
  });

  it('checks chat destinations and lists them by host only', async () => {
    const s = await createSession(t.url);
    const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';
    const slack = await create(s.id, { provider: 'chat', format: 'slack', url: slackUrl });
    expect(slack.status).toBe(201);
    expect(slack.body).toMatchObject({ provider: 'chat', secret: null, url: null, destination: { format: 'slack', host: 'hooks.slack.com' } });
    expect(JSON.stringify(slack.body)).not.toContain('XXXXSECRETXXXX');
    expect(JSON.stringify((await list(s.id)).body)).not.toContain('XXXXSECRETXXXX');

    for (const [body, message] of [
      [{ provider: 'chat', format: 'slack', url: 'http://127.0.0.1:9/hook' }, /private or local/],
      [{ provider: 'chat', format: 'slack', url: 'http://169.254.169.254/latest' }, /private or local/],
      [{ provider: 'chat', format: 'slack', url: 'ftp://example.com/x' }, /http or https/],
      [{ provider: 'chat', format: 'irc', url: 'https://example.com' }, /format must be one of/],
      [{ provider: 'jenkins' }, /provider must be one of/],
      [{ provider: 'github', secret: 'mine' }, /Unrecognized key/i],
      [{ provider: 'github', label: 'x'.repeat(61) }, /at most 60/],
    ] as const) {
      const r = await create(s.id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(message);
    }
  });

  it('revokes: the endpoint answers 404 from then on, and only the session that owns it can revoke it', async () => {
    const s = await createSession(t.url);
    const other = await createSession(t.url);
    const hook = (await create(s.id, { provider: 'github' })).body;
    expect((await del(other.id, hook.id)).status).toBe(404);
    const gone = await del(s.id, hook.id);
    expect(gone.status).toBe(204);
    expect((await list(s.id)).body.integrations).toEqual([]);
    const late = await fetch(hook.url ?? '', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(late.status).toBe(404);
    expect((await del(s.id, hook.id)).status).toBe(404);
  });

  it(`holds at most ${INTEGRATION_LIMITS.perSession} per session`, async () => {
    const s = await createSession(t.url);
    for (let i = 0; i < INTEGRATION_LIMITS.perSession; i++) expect((await create(s.id, { provider: 'gitlab' })).status).toBe(201);
    const over = await create(s.id, { provider: 'gitlab' });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatch(/at most 20/);
  });
});

describe('a watch link', () => {
  it('gets 404 on every edit route, so it can neither create, list, revoke nor read the room key', async () => {
    const s = await createSession(t.url);
    const hook = (await create(s.id, { provider: 'github' })).body;
    const edit = t.server.routes.filter((r) => r.need === 'edit');
    expect(edit.map((r) => `${r.method} ${pathOf(r.pattern, ':id')}`)).toEqual(
      expect.arrayContaining([
        'GET /api/sessions/:id/integrations',
        'POST /api/sessions/:id/integrations',
        'DELETE /api/sessions/:id/integrations/AAAAAAAAAAAAAAAAAAAAAA',
        'GET /api/sessions/:id/mob-key',
        'POST /api/sessions/:id/mob-key',
      ]),
    );
    for (const r of edit) {
      const path = pathOf(r.pattern, s.viewToken).replace('AAAAAAAAAAAAAAAAAAAAAA', hook.id);
      const res = await fetch(t.url + path, { method: r.method, headers: { 'content-type': 'application/json' }, body: r.method === 'GET' ? undefined : '{"provider":"github"}' });
      expect(res.status, `${r.method} ${path}`).toBe(404);
    }
    // Nothing changed: the hook is still there, the key is the same.
    expect((await list(s.id)).body.integrations.map((i) => i.id)).toEqual([hook.id]);
  });

  it('reads nothing that holds a secret, the room key or the edit link', async () => {
    const s = await createSession(t.url);
    const hook = (await create(s.id, { provider: 'github' })).body;
    const key = (await api<MobKeyView>(t.url, `/api/sessions/${s.id}/mob-key`)).body;
    for (const path of [`/api/view/${s.viewToken}`, `/api/view/${s.viewToken}/decisions.json`, `/api/view/${s.viewToken}/decisions.md`]) {
      const text = await (await fetch(t.url + path)).text();
      for (const secret of [hook.secret ?? '', key.room, s.id]) expect(text, path).not.toContain(secret);
    }
  });
});
