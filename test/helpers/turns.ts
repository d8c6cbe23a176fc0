/**
 * Reading a session's rotation from what the store holds (not from any instance's memory), and the
 * exactly-once check of the cluster's timer tests: every turn that ended is recorded once, in order.
 */
import * as Y from 'yjs';
import { readRotation, readTurns, type RotationState, type SessionDocs, type TurnRecord } from '../../lib/doc/schema';
import type { SessionId } from '../../lib/ids';
import type { Store } from '../../server/store/types';

export async function storedRotation(store: Store, id: string): Promise<{ rotation: RotationState; turns: TurnRecord[] }> {
  const stored = await store.loadSession(id as SessionId);
  const docs: SessionDocs = { shared: new Y.Doc(), server: new Y.Doc() };
  for (const u of stored.docs.shared) Y.applyUpdate(docs.shared, u);
  for (const u of stored.docs.server) Y.applyUpdate(docs.server, u);
  return { rotation: readRotation(docs), turns: readTurns(docs) };
}

/**
 * Problems with a session's turn history: a turn recorded twice (a double rotation), a turn
 * missing, or a history that does not end where the rotation stands. Empty when exactly once.
 * A reset stops the timer without rotating: its record repeats the current turn, and is left out.
 * (Sessions here have no breaks: a break would record the turn number of the turn before it.)
 */
export function turnProblems(rotation: RotationState, all: readonly TurnRecord[]): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  const turns = all.filter((t) => t.end !== 'reset');
  for (const t of turns) {
    if (seen.has(t.turn)) problems.push(`turn ${t.turn} recorded twice`);
    seen.add(t.turn);
  }
  for (let n = 0; n < rotation.turn; n++) if (!seen.has(n)) problems.push(`turn ${n} never recorded`);
  if (turns.length !== rotation.turn) problems.push(`${turns.length} turns recorded, rotation at ${rotation.turn}`);
  return problems;
}

/** How late each expiry was: ended - (started + paused + duration), ms, for turns that expired. */
export function lateness(turns: readonly TurnRecord[], durationMs: number): number[] {
  return turns.filter((t) => t.end === 'expired').map((t) => t.endedAt - (t.startedAt + t.pausedMs + durationMs));
}
