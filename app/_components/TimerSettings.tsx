'use client';

import type { SessionSettings } from '../../lib/doc/schema';
import { TimerSettingsPart } from './sessionParts';
import { OnDemandDetails } from './OnDemandDetails';

/** The timer settings disclosure; its form (TimerSettingsForm) is fetched when it is first opened. */
export function TimerSettings({ settings }: { settings: SessionSettings }) {
  return <OnDemandDetails className="timer-settings" summary="Timer settings" part={TimerSettingsPart} props={{ settings }} />;
}
