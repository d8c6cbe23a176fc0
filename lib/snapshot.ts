/**
 * The plain snapshot of a session that the HTTP API returns (DESIGN.md's public surface).
 */
import type * as Y from 'yjs';
import { decisionsOf, readRotation, readSessionName, readSettings } from './doc/schema';
import type { MemberId } from './ids';
import { listMembers } from './members';
import { listTasks, type TaskView } from './task';
import { endsAt, remainingMs } from './timer';

export interface SnapshotMember {
  id: MemberId;
  name: string;
  away: boolean;
  online: boolean;
}

export interface SessionSnapshot {
  name: string;
  members: SnapshotMember[];
  driver: SnapshotMember | null;
  navigator: SnapshotMember | null;
  timer: {
    status: 'idle' | 'running' | 'paused';
    phase: 'turn' | 'break' | null;
    turnSeconds: number;
    remainingMs: number | null;
    endsAt: number | null;
    turn: number;
  };
  task: TaskView | null;
  queue: TaskView[];
  /** Finished tasks, oldest first, each with its summary (time spent, turns, drivers). */
  done: TaskView[];
  decisionCount: number;
}

export function sessionSnapshot(doc: Y.Doc, now: number, online: ReadonlySet<string> = new Set()): SessionSnapshot {
  const members = listMembers(doc).map((m) => ({ id: m.id, name: m.name, away: m.away, online: online.has(m.id) }));
  const byId = new Map(members.map((m) => [m.id as string, m]));
  const rotation = readRotation(doc);
  const settings = readSettings(doc);
  const { current, queue, done } = listTasks(doc);
  const t = rotation.timer;
  return {
    name: readSessionName(doc),
    members,
    driver: (rotation.driver && byId.get(rotation.driver)) || null,
    navigator: (rotation.navigator && byId.get(rotation.navigator)) || null,
    timer: {
      status: t.status,
      phase: t.status === 'idle' ? null : t.phase,
      turnSeconds: settings.turnSeconds,
      remainingMs: remainingMs(t, now),
      endsAt: endsAt(t),
      turn: rotation.turn,
    },
    task: current,
    queue,
    done,
    decisionCount: decisionsOf(doc).length,
  };
}
