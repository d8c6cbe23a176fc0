import { onDemand } from './onDemand';

// The session's click-only parts, each its own chunk (see onDemand): dialogs and the bodies of
// closed disclosures. The session chunk stays what the page needs to be live; ConnectedSession
// preloads these when someone first uses the live page.
export const LogDecisionDialog = onDemand(() => import('./LogDecisionForm').then((m) => m.LogDecisionForm));
export const SwitchTaskDialog = onDemand(() => import('./SwitchDialog').then((m) => m.SwitchDialog));
export const IntegrationsSetup = onDemand(() => import('./IntegrationsDialog').then((m) => m.IntegrationsDialog));
export const TimerSettingsPart = onDemand(() => import('./TimerSettingsForm').then((m) => m.TimerSettingsForm));
export const RosterEditorPart = onDemand(() => import('./RosterEditor').then((m) => m.RosterEditor));

export const SESSION_ON_DEMAND = [LogDecisionDialog, SwitchTaskDialog, IntegrationsSetup, TimerSettingsPart, RosterEditorPart] as const;
