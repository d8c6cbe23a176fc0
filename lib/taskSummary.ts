/**
 * Who drove during a task: read from the server's append-only turn records.
 */
import { readTurns, type SessionDocs } from './doc/schema';
import type { MemberId } from './ids';

/** Drivers of turns overlapping [from, to), in the order they drove, each once. */
export function driversBetween(docs: SessionDocs, from: number, to: number): MemberId[] {
  const out: MemberId[] = [];
  for (const rec of readTurns(docs)) {
    if (rec.phase !== 'turn' || !rec.driver) continue;
    if (rec.endedAt > from && rec.startedAt < to && !out.includes(rec.driver)) out.push(rec.driver);
  }
  return out;
}
