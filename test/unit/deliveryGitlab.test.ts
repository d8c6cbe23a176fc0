import { describe, expect, it } from 'vitest';
import type { NormalizeResult } from '../../lib/delivery/event';
import { type GitlabDelivery, gitlabDelivery, normalizeGitlab } from '../../lib/delivery/gitlab';
import { fixtureJson } from '../helpers/webhooks';

const delivery: GitlabDelivery = { deliveryKey: '9f1c7a1e-0b7e-4a52-9f0e-5d8b3c2a1f00', receivedAt: 7_000 };

function eventOf(r: NormalizeResult) {
  if (r.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}

describe('GitLab webhooks', () => {
  it('prefers the Idempotency-Key, then the event UUID', () => {
    const both = { 'x-gitlab-event': 'Pipeline Hook', 'idempotency-key': 'idem-1', 'x-gitlab-event-uuid': 'uuid-1' };
    expect(gitlabDelivery(both, 1)).toMatchObject({ ok: true, delivery: { deliveryKey: 'idem-1' } });
    expect(gitlabDelivery({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'uuid-1' }, 1)).toMatchObject({ delivery: { deliveryKey: 'uuid-1' } });
    expect(gitlabDelivery({ 'x-gitlab-event': 'Push Hook' }, 1)).toMatchObject({ delivery: { deliveryKey: null } });
    expect(gitlabDelivery({}, 1)).toMatchObject({ ok: false });
  });

  it('normalises a failed pipeline', () => {
    const e = eventOf(normalizeGitlab('Pipeline Hook', fixtureJson('gitlab/pipeline.failed.json'), delivery));
    expect(e).toEqual({
      provider: 'gitlab',
      kind: 'pipeline',
      status: 'failure',
      title: 'Nightly build #87: Add refund endpoint',
      ref: 'main',
      sha: '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b',
      actor: 'Bo Chen',
      url: 'https://gitlab.example.com/acme/payments/-/pipelines/1312345',
      environment: null,
      occurredAt: Date.UTC(2026, 4, 12, 8, 7, 41),
      dedupeKey: 'gitlab:9f1c7a1e-0b7e-4a52-9f0e-5d8b3c2a1f00',
      runKey: 'gitlab:pipeline:1312345',
    });
  });

  it('maps unknown statuses to running and marks tag refs', () => {
    const e = eventOf(normalizeGitlab('Pipeline Hook', fixtureJson('gitlab/pipeline.waiting.json'), delivery));
    expect(e).toMatchObject({ status: 'running', ref: 'refs/tags/v2.4.0', title: 'Pipeline #88: Release 2.4.0', occurredAt: 7_000 });
  });

  it('maps the documented pipeline statuses', () => {
    const base = fixtureJson('gitlab/pipeline.failed.json') as { object_attributes: { status: string } };
    const status = (s: string) => {
      base.object_attributes.status = s;
      return eventOf(normalizeGitlab('Pipeline Hook', base, delivery)).status;
    };
    expect(['created', 'waiting_for_resource', 'preparing', 'pending', 'scheduled', 'manual'].map(status)).toEqual(Array(6).fill('queued'));
    expect(status('running')).toBe('running');
    expect(status('success')).toBe('success');
    expect(status('failed')).toBe('failure');
    expect(status('canceled')).toBe('cancelled');
    expect(status('skipped')).toBe('skipped');
  });

  it('falls back to a content key when GitLab sent no delivery id', () => {
    const e = eventOf(normalizeGitlab('Pipeline Hook', fixtureJson('gitlab/pipeline.failed.json'), { deliveryKey: null, receivedAt: 1 }));
    expect(e.dedupeKey).toBe('gitlab:content:pipeline:1312345:failed');
  });

  it('normalises a deployment with its environment and full sha', () => {
    const e = eventOf(normalizeGitlab('Deployment Hook', fixtureJson('gitlab/deployment.success.json'), delivery));
    expect(e).toMatchObject({
      kind: 'deploy',
      status: 'success',
      environment: 'production',
      title: 'Deploy to production: Add refund endpoint',
      sha: '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b',
      url: 'https://gitlab.example.com/acme/payments/-/jobs/5550777',
      occurredAt: Date.UTC(2026, 4, 12, 8, 21, 6),
      runKey: 'gitlab:deployment:9001',
    });
  });

  it('normalises a push from its head commit', () => {
    const e = eventOf(normalizeGitlab('Push Hook', fixtureJson('gitlab/push.json'), delivery));
    expect(e).toMatchObject({
      kind: 'push',
      ref: 'mob/main',
      sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      title: 'mob next [ci-skip] [ci skip] [skip ci]',
      actor: 'Bo Chen',
      url: 'https://gitlab.example.com/acme/payments/-/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    });
  });

  it('ignores other hooks, answers errors for malformed ones, never throws', () => {
    expect(normalizeGitlab('Job Hook', { object_kind: 'build' }, delivery)).toMatchObject({ kind: 'ignored' });
    expect(normalizeGitlab('Tag Push Hook', { object_kind: 'tag_push' }, delivery)).toMatchObject({ kind: 'ignored' });
    // The header says pipeline, the body says push: malformed.
    expect(normalizeGitlab('Pipeline Hook', fixtureJson('gitlab/push.json'), delivery)).toMatchObject({ kind: 'error', error: expect.stringContaining('object_kind') });
    for (const weird of [null, 1, 'x', [], { object_kind: 'pipeline' }, { object_kind: 'pipeline', object_attributes: { id: -1, status: 3 } }]) {
      for (const ev of ['Pipeline Hook', 'Deployment Hook', 'Push Hook']) expect(normalizeGitlab(ev, weird, delivery).kind).toBe('error');
    }
  });
});
