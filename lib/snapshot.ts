/**
 * The plain snapshot of a session that the HTTP API returns (DESIGN.md's public surface). It holds
 * no link and no id: the view link's API returns exactly this; the edit link's adds its links.
 */
import { decisionsOf, readRotation, readSessionName, readSettings, type SessionDocs } from './doc/schema';
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

export function sessionSnapshot(docs: SessionDocs, now: number, online: ReadonlySet<string> = new Set()): SessionSnapshot {
  const members = listMembers(docs).map((m) => ({ id: m.id, name: m.name, away: m.away, online: online.has(m.id) }));
  const byId = new Map(members.map((m) => [m.id as string, m]));
  const rotation = readRotation(docs);
  const settings = readSettings(docs);
  const { current, queue, done } = listTasks(docs);
  const t = rotation.timer;
  return {
    name: readSessionName(docs),
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
    decisionCount: decisionsOf(docs).length,
  };
}
