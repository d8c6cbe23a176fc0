'use client';

import { RosterEditorPart } from './sessionParts';
import { OnDemandDetails } from './OnDemandDetails';
import '../_styles/timer.css';

/** The "Manage roster" disclosure; its editor (RosterEditor) is fetched when it is first opened. */
export function RosterControls() {
  return <OnDemandDetails className="roster-controls" summary="Manage roster" part={RosterEditorPart} props={{}} />;
}
