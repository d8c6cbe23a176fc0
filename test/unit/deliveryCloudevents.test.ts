import { describe, expect, it } from 'vitest';
import { normalizeCloudEvent, readCloudEvent } from '../../lib/delivery/cloudevents';
import type { NormalizeResult } from '../../lib/delivery/event';
import { fixtureJson } from '../helpers/webhooks';

function eventOf(r: NormalizeResult) {
  if (r.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}

/** Binary mode as Tekton sends it: the CDEvent is the body, the attributes are ce-* headers. */
const tektonHeaders = {
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-id': '6f2d0a4e-3c1b-4b8e-9d57-0c1e2f3a4b5c',
  'ce-source': '/apis///namespaces/ci/pipelineruns/payments-ci-x7k2p',
  'ce-type': 'dev.cdevents.pipelinerun.finished.0.2.0',
  'ce-time': '2026-05-12T12:30:15Z',
};

describe('CloudEvents', () => {
  it('reads a binary-mode CDEvent (Tekton)', () => {
    const e = eventOf(normalizeCloudEvent(tektonHeaders, fixtureJson('cloudevents/tekton.pipelinerun.finished.json'), 1));
    expect(e).toEqual({
      provider: 'cloudevents',
      kind: 'pipeline',
      status: 'failure',
      title: 'payments-ci: Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 2',
      ref: null,
      sha: null,
      actor: null,
      url: 'https://tekton.example.com/#/namespaces/ci/pipelineruns/payments-ci-x7k2p',
      environment: null,
      occurredAt: Date.parse('2026-05-12T12:30:15Z'),
      dedupeKey: 'cloudevents:/apis///namespaces/ci/pipelineruns/payments-ci-x7k2p:6f2d0a4e-3c1b-4b8e-9d57-0c1e2f3a4b5c',
      runKey: 'cloudevents:pipelinerun:/apis///namespaces/ci/pipelineruns/payments-ci-x7k2p:ci/payments-ci-x7k2p',
    });
  });

  it('percent-decodes binary-mode header values', () => {
    const r = readCloudEvent({ ...tektonHeaders, 'ce-source': 'urn:ci:%C3%A9quipe' }, {});
    expect(r).toMatchObject({ ok: true, event: { source: 'urn:ci:équipe' } });
  });

  it('reads a structured-mode envelope with our mobflow.ci.status type', () => {
    const e = eventOf(normalizeCloudEvent({ 'content-type': 'application/cloudevents+json; charset=utf-8' }, fixtureJson('cloudevents/mobflow.ci.status.structured.json'), 1));
    expect(e).toEqual({
      provider: 'cloudevents',
      kind: 'deploy',
      status: 'failure',
      title: 'payments deploy',
      ref: 'main',
      sha: '4f2c9e1d7a3b5c6d8e9f0a1b2c3d4e5f6a7b8c9d',
      actor: 'Ana Silva',
      url: 'https://jenkins.example.com/job/payments/1288/',
      environment: 'canary',
      occurredAt: Date.parse('2026-05-12T12:45:00Z'),
      dedupeKey: 'cloudevents:https://jenkins.example.com/job/payments/:jenkins-payments-1288-3',
      runKey: 'cloudevents:https://jenkins.example.com/job/payments/:payments#1288',
    });
  });

  it('reads data_base64 in structured mode', () => {
    const env = fixtureJson('cloudevents/mobflow.ci.status.structured.json') as Record<string, unknown>;
    const data = env.data;
    delete env.data;
    env.data_base64 = Buffer.from(JSON.stringify(data)).toString('base64');
    expect(eventOf(normalizeCloudEvent({ 'content-type': 'application/cloudevents+json' }, env, 1)).title).toBe('payments deploy');
  });

  it('reads a bare CDEvent body (Harness) with a millisecond timestamp and `uri`', () => {
    const e = eventOf(normalizeCloudEvent({ 'content-type': 'application/json' }, fixtureJson('cloudevents/harness.pipelinerun.started.json'), 1));
    expect(e).toMatchObject({ kind: 'pipeline', status: 'running', title: 'deployPayments', occurredAt: 1778589000000 });
    expect(e.url).toContain('https://app.harness.io/');
  });

  it('maps CDEvents predicates and outcomes, and task runs as checks', () => {
    const cd = (type: string, outcome?: string) =>
      eventOf(normalizeCloudEvent({ ...tektonHeaders, 'ce-type': type }, { subject: { id: 't1', content: { taskName: 'unit', outcome } } }, 1));
    expect(cd('dev.cdevents.pipelinerun.queued.0.1.0').status).toBe('queued');
    expect(cd('dev.cdevents.taskrun.started.0.2.0')).toMatchObject({ kind: 'check', status: 'running', title: 'unit' });
    expect(cd('dev.cdevents.taskrun.finished.0.3.0-draft', 'success').status).toBe('success');
    expect(cd('dev.cdevents.taskrun.finished.0.2.0', 'error').status).toBe('failure');
    expect(cd('dev.cdevents.taskrun.finished.0.2.0', 'cancel').status).toBe('cancelled');
    expect(cd('dev.cdevents.taskrun.finished.0.2.0').status).toBe('failure');
  });

  it('accepts status aliases in mobflow.ci.status and explains bad ones', () => {
    const ci = (status: string, extra: Record<string, unknown> = {}) =>
      normalizeCloudEvent({ ...tektonHeaders, 'ce-type': 'mobflow.ci.status' }, { pipeline: 'build', status, ...extra }, 1);
    expect(eventOf(ci('passed'))).toMatchObject({ status: 'success', kind: 'pipeline', runKey: expect.stringContaining('build@-') });
    expect(eventOf(ci('running', { run: 77 })).runKey).toBe('cloudevents:/apis///namespaces/ci/pipelineruns/payments-ci-x7k2p:77');
    expect(ci('sideways')).toEqual({ kind: 'error', error: expect.stringContaining('must be one of queued, running') });
    expect(normalizeCloudEvent({ ...tektonHeaders, 'ce-type': 'mobflow.ci.status' }, { status: 'success' }, 1)).toMatchObject({ kind: 'error' });
  });

  it('ignores other event types', () => {
    expect(normalizeCloudEvent({ ...tektonHeaders, 'ce-type': 'com.example.invoice.paid' }, {}, 1)).toMatchObject({ kind: 'ignored' });
    expect(normalizeCloudEvent({ ...tektonHeaders, 'ce-type': 'dev.cdevents.artifact.published.0.1.0' }, {}, 1)).toMatchObject({ kind: 'ignored' });
  });

  it('explains malformed requests and never throws', () => {
    const err = (headers: Record<string, string>, body: unknown) => {
      const r = normalizeCloudEvent(headers, body, 1);
      expect(r.kind).toBe('error');
      return r.kind === 'error' ? r.error : '';
    };
    expect(err({ ...tektonHeaders, 'ce-specversion': '0.3' }, {})).toContain('specversion');
    expect(err({ 'ce-specversion': '1.0', 'ce-type': 'x' }, {})).toContain('ce-id');
    expect(err({ 'content-type': 'application/cloudevents-batch+json' }, [])).toContain('batch');
    expect(err({ 'content-type': 'application/cloudevents+json' }, { specversion: '1.0', id: 'x' })).toContain('source');
    expect(err({ 'content-type': 'application/json' }, { hello: 'world' })).toContain('not a CloudEvent');
    expect(err(tektonHeaders, { subject: 'nope' })).toContain('subject');
    for (const weird of [null, undefined, 3, 'x', [], { specversion: 1 }, { context: { type: 5 } }]) {
      expect(() => normalizeCloudEvent({}, weird, 1)).not.toThrow();
      expect(() => normalizeCloudEvent(tektonHeaders, weird, 1)).not.toThrow();
    }
  });
});
