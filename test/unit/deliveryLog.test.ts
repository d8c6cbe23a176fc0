import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../lib/decisionTimeline';
import type { DeliveryEvent } from '../../lib/delivery/event';
import { appendDelivery, latestDeliveries, readDeliveries } from '../../lib/delivery/log';
import { deliveryAlarm, deliveryState, deliverySummary } from '../../lib/delivery/status';
import { deliveryOf } from '../../lib/doc/schema';
import { addTask, completeTask, settleBoard } from '../../lib/task';
import { newSession, replica } from '../helpers/docs';

let seq = 0;
const event = (over: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
  provider: 'github',
  kind: 'pipeline',
  status: 'running',
  title: 'CI #1',
  ref: 'main',
  sha: 'abcdef1',
  actor: 'ana',
  url: 'https://ci.example.com/1',
  environment: null,
  occurredAt: 1_000,
  dedupeKey: `github:1:guid-${++seq}`,
  runKey: 'github:workflow_run:1',
  ...over,
});

describe('the delivery log', () => {
  it('stamps each event with its arrival and the task current at that moment', () => {
    const docs = newSession();
    const first = appendDelivery(docs, event(), 10);
    expect(first).toMatchObject({ kind: 'appended', entry: { receivedAt: 10, taskId: null, taskTitle: null } });
    const task = addTask(docs, { title: 'Refunds' }, 20);
    settleBoard(docs, 20);
    appendDelivery(docs, event({ status: 'success', occurredAt: 2_000 }), 30);
    completeTask(docs, 40);
    appendDelivery(docs, event({ runKey: 'github:workflow_run:2', occurredAt: 3_000 }), 50);
    expect(readDeliveries(docs).map((e) => [e.status, e.taskId, e.taskTitle])).toEqual([
      ['running', null, null],
      ['success', task, 'Refunds'],
      ['running', null, null],
    ]);
  });

  it('appends a delivery once, and a status its run already has not at all', () => {
    const docs = newSession();
    const e = event();
    expect(appendDelivery(docs, e, 1).kind).toBe('appended');
    expect(appendDelivery(docs, e, 2).kind).toBe('duplicate');
    // GitLab fires a hook per change; the same status again under another delivery id is no news.
    expect(appendDelivery(docs, event(), 3).kind).toBe('unchanged');
    expect(appendDelivery(docs, event({ status: 'failure', occurredAt: 2_000 }), 4)).toMatchObject({ kind: 'appended', previous: { status: 'running' } });
    expect(readDeliveries(docs)).toHaveLength(2);
  });

  it('skips malformed entries instead of throwing (the document comes from the network)', () => {
    const docs = newSession();
    appendDelivery(docs, event(), 1);
    deliveryOf(docs).push([{ nonsense: true }, 'text', null, { ...event(), receivedAt: 'x' }, { ...event(), url: 'javascript:alert(1)', receivedAt: 1 }]);
    appendDelivery(docs, event({ status: 'success', occurredAt: 5_000 }), 2);
    const copy = replica(docs);
    expect(readDeliveries(copy).map((e) => e.status)).toEqual(['running', 'success']);
    expect(latestDeliveries(copy, 3).map((e) => e.status)).toEqual(['success']);
  });
});

describe('delivery state', () => {
  const entry = (over: Partial<DeliveryEvent>, receivedAt = 0) => ({ ...event(over), receivedAt, taskId: null, taskTitle: null });

  it('reads the latest deploy per environment and the CI of the newest commit', () => {
    const state = deliveryState([
      entry({ kind: 'deploy', environment: 'canary', runKey: 'd1', status: 'running', occurredAt: 1 }),
      entry({ kind: 'deploy', environment: 'production', runKey: 'd2', status: 'success', occurredAt: 2 }),
      entry({ kind: 'deploy', environment: 'canary', runKey: 'd1', status: 'failure', occurredAt: 3, title: 'Deploy to canary' }),
      entry({ kind: 'pipeline', runKey: 'build', sha: 'aaaaaaa', status: 'failure', occurredAt: 4, title: 'Build #7' }),
      // A green run of the same commit that finished later does not hide the red one.
      entry({ kind: 'check', runKey: 'lint', sha: 'aaaaaaa', status: 'success', occurredAt: 5 }),
      entry({ kind: 'push', runKey: 'p1', status: 'success', occurredAt: 6, title: 'mob next [ci-skip]' }),
    ]);
    expect(state.environments.map((e) => [e.environment, e.status])).toEqual([
      ['canary', 'failure'],
      ['production', 'success'],
    ]);
    expect(state.ci).toMatchObject({ status: 'failure', runs: 2, entry: { title: 'Build #7' } });
    expect(state.lastPush?.title).toBe('mob next [ci-skip]');
    expect(state.failing.map((f) => f.label)).toEqual(['canary', 'CI']);
    expect(deliveryAlarm(state)).toBe('✗ canary, CI failing');
    expect(deliverySummary(state)).toBe('canary: failing (Deploy to canary) · production: passing · CI: failing (Build #7)');
  });

  it('lets a late "running" not undo a finished run, and a newer commit replace an older one', () => {
    const state = deliveryState([
      entry({ runKey: 'r1', sha: 'aaaaaaa', status: 'failure', occurredAt: 10 }),
      entry({ runKey: 'r1', sha: 'aaaaaaa', status: 'running', occurredAt: 5 }, 99),
      entry({ runKey: 'r2', sha: 'bbbbbbb', status: 'running', occurredAt: 20 }),
    ]);
    expect(state.ci).toMatchObject({ status: 'running', entry: { runKey: 'r2' } });
    expect(deliveryAlarm(state)).toBeNull();
    expect(deliveryState([entry({ runKey: 'r1', status: 'failure', occurredAt: 10 }), entry({ runKey: 'r1', status: 'running', occurredAt: 5 })]).ci?.status).toBe('failure');
  });

  it('says nothing when nothing has reported', () => {
    const state = deliveryState([]);
    expect(state).toEqual({ ci: null, environments: [], lastPush: null, failing: [] });
    expect(deliverySummary(state)).toBeNull();
    expect(deliveryAlarm(state)).toBeNull();
  });
});

describe('the review timeline', () => {
  it('puts CI/CD events on the axis, a bin showing its most alarming status', () => {
    const at = (receivedAt: number, status: DeliveryEvent['status']) => ({ ...event({ status }), receivedAt, taskId: null, taskTitle: null });
    const t = buildTimeline([], [], [], () => '', [at(0, 'success'), at(1, 'failure'), at(2, 'success'), at(12_000, 'running')]);
    expect(t?.delivery.map((d) => [d.count, d.status])).toEqual([
      [3, 'failure'],
      [1, 'running'],
    ]);
  });
});
