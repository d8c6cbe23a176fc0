import { describe, expect, it } from 'vitest';
import type { NormalizeResult } from '../../lib/delivery/event';
import { type GithubDelivery, githubDelivery, normalizeGithub } from '../../lib/delivery/github';
import { fixtureJson } from '../helpers/webhooks';

const delivery: GithubDelivery = { deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958', hookId: '480001', receivedAt: 5_000 };

function eventOf(r: NormalizeResult) {
  if (r.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}

describe('GitHub webhooks', () => {
  it('reads the delivery headers', () => {
    const h = { 'x-github-event': 'push', 'x-github-delivery': 'abc-123', 'x-github-hook-id': '480001' };
    expect(githubDelivery(h, 9)).toEqual({ ok: true, event: 'push', delivery: { deliveryId: 'abc-123', hookId: '480001', receivedAt: 9 } });
    expect(githubDelivery({ 'x-github-event': 'push' }, 9)).toMatchObject({ ok: false, error: expect.stringContaining('x-github-delivery') });
    expect(githubDelivery({ 'x-github-delivery': 'a' }, 9)).toMatchObject({ ok: false });
  });

  it('normalises a failed workflow run', () => {
    const e = eventOf(normalizeGithub('workflow_run', fixtureJson('github/workflow_run.completed.failure.json'), delivery));
    expect(e).toEqual({
      provider: 'github',
      kind: 'pipeline',
      status: 'failure',
      title: 'CI #412: Fix rounding in invoice totals',
      ref: 'main',
      sha: '4f2c9e1d7a3b5c6d8e9f0a1b2c3d4e5f6a7b8c9d',
      actor: 'ana-dev',
      url: 'https://github.com/acme/payments/actions/runs/9123456789',
      environment: null,
      occurredAt: Date.parse('2026-05-12T09:19:47Z'),
      dedupeKey: 'github:480001:72d3162e-cc78-11e3-81ab-4c9367dc0958',
      runKey: 'github:workflow_run:9123456789',
    });
  });

  it('collapses the statuses of one run under one run key', () => {
    const running = eventOf(normalizeGithub('workflow_run', fixtureJson('github/workflow_run.in_progress.json'), { ...delivery, deliveryId: 'other' }));
    const done = eventOf(normalizeGithub('workflow_run', fixtureJson('github/workflow_run.completed.failure.json'), delivery));
    expect(running.status).toBe('running');
    expect(running.runKey).toBe(done.runKey);
    expect(running.dedupeKey).not.toBe(done.dedupeKey);
  });

  it('maps run statuses and conclusions', () => {
    const run = (status: string, conclusion: string | null) =>
      eventOf(normalizeGithub('workflow_run', { action: 'x', workflow_run: { id: 1, status, conclusion } }, delivery)).status;
    expect(run('queued', null)).toBe('queued');
    expect(run('requested', null)).toBe('queued');
    expect(run('waiting', null)).toBe('queued');
    expect(run('in_progress', null)).toBe('running');
    expect(run('something_new', null)).toBe('running');
    expect(run('completed', 'success')).toBe('success');
    expect(run('completed', 'timed_out')).toBe('failure');
    expect(run('completed', 'cancelled')).toBe('cancelled');
    expect(run('completed', 'skipped')).toBe('skipped');
    expect(run('completed', 'neutral')).toBe('skipped');
    expect(run('completed', null)).toBe('failure');
  });

  it('normalises a completed check suite with a link to the checks page', () => {
    const e = eventOf(normalizeGithub('check_suite', fixtureJson('github/check_suite.completed.json'), delivery));
    expect(e).toMatchObject({
      kind: 'check',
      status: 'success',
      title: 'Buildkite checks',
      ref: 'feature/totals',
      actor: 'bo-dev',
      url: 'https://github.com/acme/payments/commit/b7e1c2d3a4f5061728394a5b6c7d8e9f0a1b2c3d/checks',
      runKey: 'github:check_suite:23456789012',
    });
  });

  it('normalises a deployment status with its environment', () => {
    const e = eventOf(normalizeGithub('deployment_status', fixtureJson('github/deployment_status.success.json'), delivery));
    expect(e).toMatchObject({
      kind: 'deploy',
      status: 'success',
      title: 'Deploy to canary: Canary healthy at 5%',
      environment: 'canary',
      ref: 'main',
      actor: 'ana-dev',
      url: 'https://github.com/acme/payments/actions/runs/9123450000/job/25000000001',
      runKey: 'github:deployment:1500000001',
    });
  });

  it('ignores inactive deployment statuses (superseded, not news)', () => {
    const p = fixtureJson('github/deployment_status.success.json') as { deployment_status: { state: string } };
    p.deployment_status.state = 'inactive';
    expect(normalizeGithub('deployment_status', p, delivery)).toMatchObject({ kind: 'ignored' });
  });

  it('normalises a push, keeping the full branch ref and the commit author', () => {
    const e = eventOf(normalizeGithub('push', fixtureJson('github/push.mob-next.json'), delivery));
    expect(e).toMatchObject({
      kind: 'push',
      status: 'success',
      title: 'mob next [ci-skip] [ci skip] [skip ci]',
      ref: 'mob/main',
      sha: '2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d',
      actor: 'Ana Silva',
      occurredAt: 1778580000 * 1000,
    });
  });

  it('shows a deleted branch without a sha', () => {
    const e = eventOf(normalizeGithub('push', { ref: 'refs/heads/mob/main', after: '0'.repeat(40), deleted: true, head_commit: null, pusher: { name: 'ana' } }, delivery));
    expect(e).toMatchObject({ title: 'Deleted mob/main', sha: null, actor: 'ana' });
  });

  it('ignores ping and unknown events', () => {
    expect(normalizeGithub('ping', fixtureJson('github/ping.json'), delivery)).toMatchObject({ kind: 'ignored' });
    expect(normalizeGithub('issues', { action: 'opened' }, delivery)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('issues') });
  });

  it('explains malformed payloads and never throws', () => {
    const r = normalizeGithub('workflow_run', { action: 'completed', workflow_run: { status: 'completed' } }, delivery);
    expect(r).toEqual({ kind: 'error', error: expect.stringContaining('workflow_run.id') });
    for (const weird of [null, undefined, 42, 'str', [], { workflow_run: [] }, { deployment_status: null }]) {
      for (const ev of ['workflow_run', 'check_suite', 'deployment_status', 'push']) {
        expect(normalizeGithub(ev, weird, delivery).kind).toBe('error');
      }
    }
  });
});
