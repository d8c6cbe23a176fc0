/**
 * The server's writes to a session, shared by the HTTP API and the socket.io commands: each loads
 * the room, runs one lib/ function inside one server transaction (a typed origin, server time), and
 * resolves once the result is durable. Who acts comes from the caller's connection, never a payload.
 *
 * Every method takes the session id first and v8-serialisable arguments, and answers a
 * serialisable result: in a cluster the session's owner runs it (server/cluster/routing.ts).
 */
import { appendDecision, type AppendResult, type DecisionAuthor, type DecisionInput } from '../lib/decisions';
import { clip } from '../lib/delivery/clean';
import type { DeliveryEvent } from '../lib/delivery/event';
import { type AppendDeliveryResult, appendDelivery, readDeliveries } from '../lib/delivery/log';
import { deliveryState, deliverySummary } from '../lib/delivery/status';
import { LIMITS, readSessionName, type SessionDocs } from '../lib/doc/schema';
import { clearGoal, type GoalCleared, type GoalSet, setGoal } from '../lib/goal';
import type { SessionId, MemberId, TaskId } from '../lib/ids';
import { getMember, joinMember, type Member } from '../lib/members';
import { initSession, type SessionSettings } from '../lib/doc/schema';
import { addTask, type CompleteResult, type NewTask, completeTask, readProgress, reopenTask, settleBoard, type TaskResult } from '../lib/task';
import { type SwitchRequest, type SwitchResult, switchTask } from '../lib/taskSwitch';
import { NO_NOTICES, type SessionNotices } from './integrations/notifications';
import type { Clock } from './logger';
import type { Rooms } from './rooms';

export interface ActionDeps {
  rooms: Rooms;
  clock: Clock;
  /**
   * What the delivery pipeline shows right now, recorded with a decision (null: nothing reported).
   * Read from the session's server document inside the decision's transaction; by default the
   * log's own summary (lib/delivery/status.ts).
   */
  deliverySummary?(docs: SessionDocs): string | null;
  /** Chat hears about transitions (integrations/notifications.ts); never awaited. */
  notices?: SessionNotices;
}

export type Actions = ReturnType<typeof createActions>;

/** A goal set through mob.sh, and who set it (free text from mob.sh's `user`). */
export interface GoalRequest {
  goal: string;
  user: string | null;
}

const summaryOf = (docs: SessionDocs) => deliverySummary(deliveryState(readDeliveries(docs)));

export function createActions(deps: ActionDeps) {
  const { rooms, clock } = deps;
  const notices = deps.notices ?? NO_NOTICES;
  const delivery = deps.deliverySummary ?? summaryOf;
  return {
    /** A new session's documents: its name, creation time and timer settings. */
    initSession(id: SessionId, init: { name: string; createdAt: number; settings: SessionSettings }): Promise<void> {
      return rooms.with(id, (room) => room.transact('create', (docs) => initSession(docs, init)));
    },
    /** Adds a task to the queue; it becomes current when there is none. */
    addTask(id: SessionId, input: NewTask): Promise<TaskId> {
      return rooms.with(id, (room) =>
        room.transact('task', (docs) => {
          const taskId = addTask(docs, input, clock.now());
          settleBoard(docs, clock.now());
          return taskId;
        }),
      );
    },
    async logDecision(id: SessionId, input: DecisionInput, author: DecisionAuthor): Promise<AppendResult> {
      // `now` is read inside the transaction so the stamp matches the roles the entry records.
      const { result, name } = await rooms.with(id, (room) =>
        room.transact('decision', (docs) => ({ result: appendDecision(docs, input, { now: clock.now(), author, delivery: delivery(docs) }), name: readSessionName(docs) })),
      );
      if (result.ok) notices.send(id, name, { type: 'decision-logged', title: result.record.title });
      return result;
    },
    async completeTask(id: SessionId, expected?: TaskId): Promise<CompleteResult> {
      const { result, name, title } = await rooms.with(id, (room) =>
        room.transact('task', (docs) => {
          const result = completeTask(docs, clock.now(), expected);
          return { result, name: readSessionName(docs), title: result.ok ? (readProgress(docs, result.done).doneTitle ?? '') : '' };
        }),
      );
      if (result.ok) notices.send(id, name, { type: 'task-done', task: title });
      return result;
    },
    switchTask(id: SessionId, req: SwitchRequest, author: DecisionAuthor): Promise<SwitchResult> {
      return rooms.with(id, (room) => room.transact('task', (docs) => switchTask(docs, req, { now: clock.now(), author, delivery: delivery(docs) })));
    },
    /**
     * A CI/CD event, stamped with the task current at this moment; duplicates and repeats of a
     * run's status are not appended (lib/delivery/log.ts). A run that turns to failure is news for chat.
     */
    async appendDelivery(id: SessionId, event: DeliveryEvent): Promise<AppendDeliveryResult> {
      const { result, name } = await rooms.with(id, (room) => room.transact('delivery', (docs) => ({ result: appendDelivery(docs, event, clock.now()), name: readSessionName(docs) })));
      if (result.kind === 'appended' && result.entry.status === 'failure' && result.entry.kind !== 'push') notices.send(id, name, { type: 'pipeline-failed', pipeline: event });
      return result;
    },
    /**
     * mob.sh's `mob goal <text>` (lib/goal.ts). Rewording the current task is logged as a decision
     * in the same transaction, so the old wording stays on record.
     */
    async setGoal(id: SessionId, req: GoalRequest): Promise<GoalSet> {
      const { result, name, logged } = await rooms.with(id, (room) =>
        room.transact('task', (docs) => {
          const now = clock.now();
          const result = setGoal(docs, req.goal, now);
          let logged: string | null = null;
          if (result.kind === 'renamed') {
            const author = { kind: 'server' as const, label: req.user ? `${req.user} (via mob.sh)` : 'mob.sh' };
            const input = { title: clip(`Goal changed to “${result.title}”`, LIMITS.decisionTitle), rationale: clip(`Set with mob goal; it was “${result.was}”.`, LIMITS.decisionText) };
            const r = appendDecision(docs, input, { now, author, delivery: delivery(docs) });
            if (r.ok) logged = r.record.title;
          }
          return { result, name: readSessionName(docs), logged };
        }),
      );
      if (logged) notices.send(id, name, { type: 'decision-logged', title: logged });
      return result;
    },
    /** mob.sh's `mob goal --delete`: the current task is finished (lib/goal.ts). */
    async clearGoal(id: SessionId): Promise<GoalCleared> {
      const { result, name } = await rooms.with(id, (room) => room.transact('task', (docs) => ({ result: clearGoal(docs, clock.now()), name: readSessionName(docs) })));
      if (result.kind === 'done') notices.send(id, name, { type: 'task-done', task: result.title });
      return result;
    },
    reopenTask(id: SessionId, taskId: TaskId, current = false): Promise<TaskResult> {
      return rooms.with(id, (room) => room.transact('task', (docs) => reopenTask(docs, taskId, clock.now(), current)));
    },
    /** Joins by name for scripts (rejoins a member of the same name): no token, binds nothing. */
    joinByName(id: SessionId, name: string): Promise<Member> {
      return rooms.with(id, (room) => room.transact('join', (docs) => joinMember(docs, name, clock.now(), { reuseByName: true })));
    },
    /**
     * A person joins: as a new member of that name, or as the existing member `as` (the same person on
     * another device). The caller gives them a member token (memberTokens.ts) that proves it from then on.
     */
    async joinPerson(id: SessionId, name: string, as?: MemberId): Promise<{ ok: true; member: Member } | { ok: false; error: string }> {
      const member = await rooms.with(id, (room) =>
        room.transact('join', (docs) => {
          if (as) {
            const existing = getMember(docs, as);
            return existing ? joinMember(docs, name, clock.now(), { preferredId: as, reuseByName: false }) : null;
          }
          return joinMember(docs, name, clock.now(), { reuseByName: false });
        }),
      );
      if (!member) return { ok: false, error: 'that member is no longer in the roster: join as someone new' };
      return { ok: true, member };
    },
  };
}
