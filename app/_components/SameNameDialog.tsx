'use client';

import { useId } from 'react';
import { Modal } from './Modal';

/**
 * Someone typed a name that is already in the roster: the same person on another device, or a
 * second person of that name? Joining never silently takes over an existing member.
 */
export function SameNameDialog({ name, onSame, onOther, onRename }: { name: string; onSame(): void; onOther(): void; onRename(): void }) {
  const id = useId();
  return (
    <Modal labelledBy={id} onDismiss={null}>
      <div className="card dialog same-name">
        <h2 id={id}>{name} is already here</h2>
        <p>Is that you on another device, or are you someone else?</p>
        <div className="row">
          <button type="button" className="button primary" onClick={onSame}>
            That’s me, on another device
          </button>
          <button type="button" className="button" onClick={onOther}>
            I’m someone else
          </button>
          <button type="button" className="button ghost" onClick={onRename}>
            Use another name
          </button>
        </div>
      </div>
    </Modal>
  );
}
