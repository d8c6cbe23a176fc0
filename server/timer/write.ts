/**
 * The only writes the timer makes to a doc: the rotation state, a turn record, the settings.
 * Called inside a server transaction (room.transact) so they carry a server origin.
 */
import type * as Y from 'yjs';
import { META_KEY, metaOf, ROTATION_KEY, readSettings, rotationOf, type SessionSettings, turnsOf } from '../../lib/doc/schema';
import type { SettingsPatch } from '../../lib/protocol/timer';
import type { Transition } from '../../lib/rotation';

export function writeTransition(doc: Y.Doc, t: Extract<Transition, { ok: true }>): void {
  rotationOf(doc).set(ROTATION_KEY.state, t.state);
  if (t.record) turnsOf(doc).push([t.record]);
}

export function writeSettings(doc: Y.Doc, patch: SettingsPatch): SessionSettings {
  const next: SessionSettings = { ...readSettings(doc) };
  // Only defined keys: an explicit `undefined` must not wipe a setting.
  for (const [k, v] of Object.entries(patch) as [keyof SessionSettings, SessionSettings[keyof SessionSettings] | undefined][]) {
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  }
  metaOf(doc).set(META_KEY.settings, next);
  return next;
}
