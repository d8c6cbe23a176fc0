/**
 * The timer settings form as a draft over the session's settings: which settings the person has
 * touched. Untouched ones follow the document (another member's save shows at once); touched ones
 * keep what is typed; a save sends only the touched ones, so it never puts back a value someone
 * else just changed.
 */
import type { SessionSettings } from '../../lib/doc/schema';
import { splitSeconds } from './durationView';

export type SettingKey = keyof SessionSettings;

/** The form field names behind each setting. */
export const FIELDS: Record<SettingKey, readonly string[]> = {
  turnSeconds: ['turnMinutes', 'turnSeconds'],
  breakEvery: ['breakEvery'],
  breakSeconds: ['breakMinutes', 'breakSeconds'],
  autoStart: ['autoStart'],
  skipOffline: ['skipOffline'],
};

/** The setting a form field belongs to. */
export function settingOf(field: string): SettingKey | null {
  for (const [key, names] of Object.entries(FIELDS) as [SettingKey, readonly string[]][]) if (names.includes(field)) return key;
  return null;
}

/** What each form field shows for `settings` (numbers as text; checkboxes as booleans). */
export function fieldValues(settings: SessionSettings): Record<string, string | boolean> {
  const turn = splitSeconds(settings.turnSeconds);
  const pause = splitSeconds(settings.breakSeconds);
  return {
    turnMinutes: String(turn.minutes),
    turnSeconds: String(turn.seconds),
    breakEvery: String(settings.breakEvery),
    breakMinutes: String(pause.minutes),
    breakSeconds: String(pause.seconds),
    autoStart: settings.autoStart,
    skipOffline: settings.skipOffline,
  };
}

/** Only the touched settings of `full`: the patch a save sends. */
export function touchedPatch(full: SessionSettings, touched: ReadonlySet<SettingKey>): Partial<SessionSettings> {
  const out: Partial<SessionSettings> = {};
  for (const key of touched) (out as Record<string, unknown>)[key] = full[key];
  return out;
}
