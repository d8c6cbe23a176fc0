'use client';

import type { SessionDocs } from '../../lib/doc/schema';
import { type DragEvent, type FormEvent, useCallback, useState } from 'react';
import type { MemberId } from '../../lib/ids';
import { normalizeName } from '../../lib/memberName';
import { joinMember, listMembers, type Member, moveMember, removeMember, renameMember, setAway, shuffleMembers } from '../../lib/members';
import { useDocSelector } from '../_hooks/useDoc';
import { useSession } from './SessionContext';
import '../_styles/timer.css';

const selectMembers = (doc: SessionDocs) => listMembers(doc);

/**
 * Roster management: add, rename, remove, reorder (drag, or the move buttons from the keyboard),
 * shuffle, away/back; the body of RosterControls' disclosure, loaded when it is first opened. Edits go straight into the doc through lib/members (a map with fractional
 * ranks), so simultaneous edits from several browsers merge instead of wiping the list.
 */
export function RosterEditor() {
  const { conn } = useSession();
  const doc = conn.docs;
  const members = useDocSelector(doc, useCallback(selectMembers, []));
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState<MemberId | null>(null);
  const [announce, setAnnounce] = useState('');

  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const r = normalizeName(new FormData(form).get('name'));
    if (!r.ok) return setError(r.reason);
    setError(null);
    joinMember(doc, r.name, Date.now());
    setAnnounce(`${r.name} added`);
    form.reset();
  };

  const move = (m: Member, index: number) => {
    moveMember(doc, m.id, index);
    setAnnounce(`${m.name} moved to position ${Math.max(1, Math.min(members.length, index + 1))}`);
  };

  const onDrop = (e: DragEvent<HTMLLIElement>, index: number) => {
    e.preventDefault();
    const m = members.find((x) => x.id === dragging);
    setDragging(null);
    if (m) move(m, index);
  };

  return (
    <>
      <form className="row roster-add" onSubmit={add}>
        <label className="timer-sr-only" htmlFor="roster-add-name">
          Name to add
        </label>
        <input id="roster-add-name" name="name" placeholder="Add a name" maxLength={40} autoComplete="off" />
        <button type="submit" className="button">
          Add
        </button>
      </form>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      <ol className="roster-edit" aria-label="Rotation order">
        {members.map((m, i) => (
          <li
            key={m.id}
            draggable
            data-member={m.name}
            className={`${m.away ? 'away' : ''} ${dragging === m.id ? 'dragging' : ''}`}
            onDragStart={(e) => {
              setDragging(m.id);
              e.dataTransfer.effectAllowed = 'move';
            }}
            onDragEnd={() => setDragging(null)}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => onDrop(e, i)}
          >
            <span className="drag-handle" aria-hidden="true">
              ⠿
            </span>
            <MemberName member={m} onRename={(name) => renameMember(doc, m.id, name)} />
            <span className="roster-buttons">
              <button type="button" className="button ghost icon" aria-label={`Move ${m.name} up`} disabled={i === 0} onClick={() => move(m, i - 1)}>
                ↑
              </button>
              <button type="button" className="button ghost icon" aria-label={`Move ${m.name} down`} disabled={i === members.length - 1} onClick={() => move(m, i + 1)}>
                ↓
              </button>
              <button type="button" className="button ghost" aria-pressed={m.away} onClick={() => setAway(doc, m.id, !m.away)}>
                {m.away ? 'Back' : 'Away'}
              </button>
              <RemoveButton name={m.name} onRemove={() => removeMember(doc, m.id)} />
            </span>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" className="button ghost" disabled={members.length < 2} onClick={() => shuffleMembers(doc)}>
          Shuffle order
        </button>
      </div>
      <p className="timer-sr-only" aria-live="polite">
        {announce}
      </p>
    </>
  );
}

function MemberName({ member, onRename }: { member: Member; onRename(name: string): void }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!editing) {
    return (
      <button type="button" className="member-name" aria-label={`Rename ${member.name}`} onClick={() => setEditing(true)}>
        {member.name}
      </button>
    );
  }
  return (
    <form
      className="rename"
      onSubmit={(e) => {
        e.preventDefault();
        const r = normalizeName(new FormData(e.currentTarget).get('name'));
        if (!r.ok) return setError(r.reason);
        onRename(r.name);
        setEditing(false);
      }}
    >
      {/* biome-ignore lint/a11y/noAutofocus: the user just asked to rename this member */}
      <input name="name" defaultValue={member.name} maxLength={40} aria-label={`New name for ${member.name}`} autoFocus onKeyDown={(e) => e.key === 'Escape' && setEditing(false)} />
      <button type="submit" className="button ghost">
        Save
      </button>
      {error && <span className="error small">{error}</span>}
    </form>
  );
}

function RemoveButton({ name, onRemove }: { name: string; onRemove(): void }) {
  const [confirming, setConfirming] = useState(false);
  return confirming ? (
    <button type="button" className="button danger" onClick={onRemove} onBlur={() => setConfirming(false)}>
      Remove {name}?
    </button>
  ) : (
    <button type="button" className="button ghost" aria-label={`Remove ${name}`} onClick={() => setConfirming(true)}>
      ✕
    </button>
  );
}
