/**
 * CI/CD webhooks against the real server, per provider, with recorded-shape payloads signed as the
 * real senders sign them (signatures made here with node:crypto, not with the code under test):
 * accepted once and shown in the session's server document with the task current at that moment;
 * the same delivery again is a duplicate, also after a restart on the same data directory; a wrong
 * or missing signature is 401 and changes nothing; a body a proxy re-serialised no longer matches
 * its signature; an oversized body is 413; event types a session does not show are answered 2xx.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeliveries } from '../../lib/delivery/log';
import type { SessionId } from '../../lib/ids';
import type { CreatedIntegration } from '../../lib/protocol/integrations';
import { api, createSession, startServer, type TestServer } from '../helpers/server';
import { fixtureBytes, githubSignature, reserialised, standardSignature } from '../helpers/webhooks';

let t: TestServer;
let dataDir: string;
let session: { id: string; viewToken: string };
const hooks: Record<string, CreatedIntegration> = {};

async function integration(body: Record<string, unknown>): Promise<CreatedIntegration> {
  const r = await api<CreatedIntegration>(t.url, `/api/sessions/${session.id}/integrations`, { body });
  expect(r.status).toBe(201);
  return r.body;
}

beforeAll(async () => {
  t = await startServer();
  dataDir = t.dataDir;
  session = await createSession(t.url, { name: 'Payments mob' });
  await api(t.url, `/api/sessions/${session.id}/tasks`, { body: { title: 'Invoice totals' } });
  hooks.github = await integration({ provider: 'github' });
  hooks.gitlab = await integration({ provider: 'gitlab' });
  hooks.gitlabSigned = await integration({ provider: 'gitlab', auth: 'signing', label: 'GitLab (signed)' });
  hooks.ce = await integration({ provider: 'cloudevents' });
  hooks.ceSigned = await integration({ provider: 'cloudevents', auth: 'signing' });
});
afterAll(() => t.stop());

async function post(hook: CreatedIntegration, body: Buffer, headers: Record<string, string>) {
  // The path only: a restarted server listens on another port.
  const res = await fetch(t.url + new URL(hook.url ?? '').pathname, { method: 'POST', headers, body: new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as { status?: string; error?: string; reason?: string } | null };
}

const deliveries = () => t.server.rooms.with(session.id as SessionId, (room) => readDeliveries(room.docs));
/** A body with the same JSON and different whitespace, as a re-serialising proxy would send it. */
function whitespaceChanged(body: Buffer): Buffer {
  const again = reserialised(body);
  return again.equals(body) ? Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 1)) : again;
}
const nowSeconds = () => Math.floor(Date.now() / 1000);
const standardHeaders = (secret: string, id: string, body: Buffer) => {
  const ts = nowSeconds();
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': standardSignature(secret, id, ts, body) };
};

interface Case {
  name: string;
  hook: () => CreatedIntegration;
  fixture: string;
  /** Headers of a correctly signed delivery `id` of `body`. */
  signed(id: string, body: Buffer): Record<string, string>;
  /** The same delivery with a wrong credential, and with none. */
  wrong(id: string, body: Buffer): Record<string, string>;
  missing(id: string): Record<string, string>;
  /** Whether the body itself is signed (a plain token does not protect it from a proxy). */
  bodySigned: boolean;
  expect: { kind: string; status: string };
}

const github = (event: string) => (id: string) => ({ 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id, 'x-github-hook-id': '480001' });
const gitlab = (event: string) => (id: string) => ({ 'content-type': 'application/json', 'x-gitlab-event': event, 'idempotency-key': id });
const structured = { 'content-type': 'application/cloudevents+json' };
const tekton = (id: string) => ({ 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/tekton/payments', 'ce-type': 'dev.cdevents.pipelinerun.finished.0.2.0' });

const CASES: Case[] = [
  {
    name: 'GitHub workflow_run (X-Hub-Signature-256)',
    hook: () => hooks.github as CreatedIntegration,
    fixture: 'github/workflow_run.completed.failure.json',
    signed: (id, body) => ({ ...github('workflow_run')(id), 'x-hub-signature-256': githubSignature(hooks.github?.secret ?? '', body) }),
    wrong: (id, body) => ({ ...github('workflow_run')(id), 'x-hub-signature-256': githubSignature('not-the-secret', body) }),
    missing: github('workflow_run'),
    bodySigned: true,
    expect: { kind: 'pipeline', status: 'failure' },
  },
  {
    name: 'GitHub deployment_status',
    hook: () => hooks.github as CreatedIntegration,
    fixture: 'github/deployment_status.success.json',
    signed: (id, body) => ({ ...github('deployment_status')(id), 'x-hub-signature-256': githubSignature(hooks.github?.secret ?? '', body) }),
    wrong: (id, body) => ({ ...github('deployment_status')(id), 'x-hub-signature-256': `sha256=${createHash('sha256').update(body).digest('hex')}` }),
    missing: github('deployment_status'),
    bodySigned: true,
    expect: { kind: 'deploy', status: 'success' },
  },
  {
    name: 'GitLab Pipeline Hook (X-Gitlab-Token)',
    hook: () => hooks.gitlab as CreatedIntegration,
    fixture: 'gitlab/pipeline.failed.json',
    signed: (id) => ({ ...gitlab('Pipeline Hook')(id), 'x-gitlab-token': hooks.gitlab?.secret ?? '' }),
    wrong: (id) => ({ ...gitlab('Pipeline Hook')(id), 'x-gitlab-token': `${hooks.gitlab?.secret ?? ''}x` }),
    missing: gitlab('Pipeline Hook'),
    bodySigned: false,
    expect: { kind: 'pipeline', status: 'failure' },
  },
  {
    name: 'GitLab Deployment Hook (signing token, Standard Webhooks)',
    hook: () => hooks.gitlabSigned as CreatedIntegration,
    fixture: 'gitlab/deployment.success.json',
    signed: (id, body) => ({ ...gitlab('Deployment Hook')(id), ...standardHeaders(hooks.gitlabSigned?.secret ?? '', id, body) }),
    wrong: (id, body) => ({ ...gitlab('Deployment Hook')(id), ...standardHeaders(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, id, body) }),
    missing: gitlab('Deployment Hook'),
    bodySigned: true,
    expect: { kind: 'deploy', status: 'success' },
  },
  {
    name: 'CloudEvents structured (bearer token)',
    hook: () => hooks.ce as CreatedIntegration,
    fixture: 'cloudevents/mobflow.ci.status.structured.json',
    // The structured envelope names its own id; a test's delivery id goes into a copy of it.
    signed: () => ({ ...structured, authorization: `Bearer ${hooks.ce?.secret ?? ''}` }),
    wrong: () => ({ ...structured, authorization: 'Bearer not-the-token' }),
    missing: () => structured,
    bodySigned: false,
    expect: { kind: 'deploy', status: 'failure' },
  },
  {
    name: 'CloudEvents binary CDEvent (Standard Webhooks signature)',
    hook: () => hooks.ceSigned as CreatedIntegration,
    fixture: 'cloudevents/tekton.pipelinerun.finished.json',
    signed: (id, body) => ({ ...tekton(id), ...standardHeaders(hooks.ceSigned?.secret ?? '', id, body) }),
    wrong: (id, body) => ({ ...tekton(id), ...standardHeaders(hooks.ceSigned?.secret ?? '', `${id}-other`, body), 'webhook-id': id }),
    missing: tekton,
    bodySigned: true,
    expect: { kind: 'pipeline', status: 'failure' },
  },
];

/** The fixture as one delivery `id` would carry it (structured CloudEvents name their id inside). */
function bodyFor(c: Case, id: string): Buffer {
  const raw = fixtureBytes(c.fixture);
  if (!c.fixture.endsWith('.structured.json')) return raw;
  return Buffer.from(raw.toString('utf8').replace('"jenkins-payments-1288-3"', JSON.stringify(id)));
}

describe.each(CASES)('$name', (c) => {
  const id = `${c.fixture.replace(/\W/g, '-')}-1`;

  it('is refused with 401 when the credential is wrong or missing, and nothing changes', async () => {
    const before = (await deliveries()).length;
    const body = bodyFor(c, id);
    const wrong = await post(c.hook(), body, c.wrong(id, body));
    expect(wrong.status).toBe(401);
    expect(wrong.body?.error).toMatch(/not verified/);
    expect((await post(c.hook(), body, c.missing(id))).status).toBe(401);
    expect((await deliveries()).length).toBe(before);
  });

  // A plain token (GitLab's, a bearer) proves the sender but not the body: only signed bodies can tell.
  if (c.bodySigned) {
    it('refuses a body a proxy re-serialised (the signature was over the original bytes)', async () => {
      const before = (await deliveries()).length;
      const body = bodyFor(c, id);
      const r = await post(c.hook(), whitespaceChanged(body), c.signed(id, body));
      expect(r.status).toBe(401);
      expect((await deliveries()).length).toBe(before);
    });
  }

  it('accepts a signed delivery once, with the current task; the same delivery again is a duplicate', async () => {
    const before = (await deliveries()).length;
    const body = bodyFor(c, id);
    // Refused attempts above left nothing behind: the first good delivery of this id is new.
    const first = await post(c.hook(), body, c.signed(id, body));
    expect(first).toMatchObject({ status: 202, body: { status: 'accepted' } });
    const after = await deliveries();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ ...c.expect, taskTitle: 'Invoice totals' });
    const again = await post(c.hook(), body, c.signed(id, body));
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect((await deliveries()).length).toBe(before + 1);
  });
});

describe('every webhook endpoint', () => {
  it('answers event types a session does not show with 2xx, and changes nothing', async () => {
    const before = (await deliveries()).length;
    const ping = fixtureBytes('github/ping.json');
    const gh = await post(hooks.github as CreatedIntegration, ping, { ...github('ping')('ping-1'), 'x-hub-signature-256': githubSignature(hooks.github?.secret ?? '', ping) });
    expect(gh).toMatchObject({ status: 202, body: { status: 'ignored' } });
    const job = Buffer.from('{"object_kind":"build"}');
    const gl = await post(hooks.gitlab as CreatedIntegration, job, { ...gitlab('Job Hook')('job-1'), 'x-gitlab-token': hooks.gitlab?.secret ?? '' });
    expect(gl).toMatchObject({ status: 202, body: { status: 'ignored' } });
    expect((await deliveries()).length).toBe(before);
  });

  it('refuses an oversized body with 413 before reading it, and an unknown endpoint with 404', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const r = await post(hooks.github as CreatedIntegration, big, { ...github('push')('big-1'), 'x-hub-signature-256': githubSignature(hooks.github?.secret ?? '', big) });
    expect(r.status).toBe(413);
    const unknown = await fetch(`${t.url}/api/hooks/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('shows a run once per status (a repeat under a new delivery id is unchanged)', async () => {
    const before = (await deliveries()).length;
    const body = fixtureBytes('gitlab/pipeline.failed.json');
    const r = await post(hooks.gitlab as CreatedIntegration, body, { ...gitlab('Pipeline Hook')('another-id'), 'x-gitlab-token': hooks.gitlab?.secret ?? '' });
    expect(r).toMatchObject({ status: 200, body: { status: 'unchanged' } });
    expect((await deliveries()).length).toBe(before);
  });

  it('still knows every delivery after a restart on the same data directory', async () => {
    const before = (await deliveries()).length;
    await t.stop();
    t = await startServer({ dataDir });
    for (const c of CASES) {
      const id = `${c.fixture.replace(/\W/g, '-')}-1`;
      const body = bodyFor(c, id);
      expect(await post(c.hook(), body, c.signed(id, body)), c.name).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    }
    expect((await deliveries()).length).toBe(before);
    expect(t.server.metrics.value('mobflow_webhook_deliveries_total', { provider: 'github', outcome: 'duplicate' })).toBe(2);
  });
});

describe('a decision logged while delivery reports', () => {
  it('records what delivery showed at that moment, in the log and its exports', async () => {
    const s = await createSession(t.url, { name: 'Release mob' });
    const ce = (await api<CreatedIntegration>(t.url, `/api/sessions/${s.id}/integrations`, { body: { provider: 'cloudevents' } })).body;
    const status = (id: string, environment: string, st: string) =>
      Buffer.from(JSON.stringify({ specversion: '1.0', id, source: 'https://ci.example.com/', type: 'mobflow.ci.status', data: { pipeline: `Deploy to ${environment}`, status: st, environment, run: `${environment}-1` } }));
    const send = (body: Buffer) => post(ce, body, { 'content-type': 'application/cloudevents+json', authorization: `Bearer ${ce.secret ?? ''}` });
    expect((await send(status('a', 'production', 'success'))).status).toBe(202);
    expect((await send(status('b', 'canary', 'failed'))).status).toBe(202);
    const logged = await api<{ delivery: string | null }>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Hold the release', rationale: 'The canary is failing' } });
    expect(logged.body.delivery).toBe('production: passing · canary: failing (Deploy to canary)');
    expect((await send(status('c', 'canary', 'success'))).status).toBe(202);
    const later = await api<{ delivery: string | null }>(t.url, `/api/sessions/${s.id}/decisions`, { body: { title: 'Release to everyone', rationale: 'The canary is healthy' } });
    expect(later.body.delivery).toBe('production: passing · canary: passing');
    const md = await (await fetch(`${t.url}/api/view/${s.viewToken}/decisions.md`)).text();
    expect(md).toContain('- Delivery: production: passing · canary: failing (Deploy to canary)');
  });
});
