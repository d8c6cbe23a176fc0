'use client';

import { useId } from 'react';
import { JoinForm } from './JoinForm';
import { Modal } from './Modal';

/**
 * The modal that asks for a display name: to join a session (it cannot be dismissed: the page needs
 * a name), or to change one's name in it (Escape or Cancel close it).
 */
export function NameDialog({ title, ...form }: { title: string } & Parameters<typeof JoinForm>[0]) {
  const id = useId();
  return (
    <Modal labelledBy={id} onDismiss={form.onCancel ?? null}>
      <div className="card dialog">
        <h2 id={id}>{title}</h2>
        <JoinForm {...form} />
      </div>
    </Modal>
  );
}
