'use client';

import { useEffect, useState } from 'react';
import { CopyButton } from './CopyButton';
import { useSession } from './SessionContext';

/**
 * Copy buttons for the edit and view links, a QR code of the edit link for phones, and (editors
 * only) replacing a link: the old one stops at once for everyone who opened the session with it.
 */
export function ShareBar() {
  const { links, readOnly, replaceLink } = useSession();
  const [qr, setQr] = useState<string | null>(null);
  const [showQr, setShowQr] = useState(false);
  const [replacing, setReplacing] = useState<'edit' | 'view' | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!showQr || !links.edit || qr) return;
    let live = true;
    void import('qrcode').then((QR) => QR.toDataURL(links.edit as string, { margin: 1, width: 240 })).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [showQr, links.edit, qr]);

  return (
    <fieldset className="share" aria-label="Share this session">
      {links.edit && <CopyButton text={links.edit} label="Copy invite link" />}
      {links.view && <CopyButton text={links.view} label="Copy watch link" />}
      {links.edit && (
        <button type="button" className="button" aria-expanded={showQr} onClick={() => setShowQr((v) => !v)}>
          {showQr ? 'Hide QR' : 'QR code'}
        </button>
      )}
      {!readOnly && (
        <details className="replace-links">
          <summary className="button ghost">Replace a link…</summary>
          <div className="card replace-card">
            <p className="small">A replaced link stops working at once: everyone who opened the session with it is disconnected and needs the new one.</p>
            {replacing ? (
              <div className="row">
                <span className="small">Replace the {replacing === 'edit' ? 'invite' : 'watch'} link?</span>
                <button
                  type="button"
                  className="button danger"
                  onClick={async () => {
                    const r = await replaceLink(replacing);
                    setReplacing(null);
                    setError(r.ok ? null : r.error);
                  }}
                >
                  Replace it
                </button>
                <button type="button" className="button ghost" onClick={() => setReplacing(null)}>
                  Keep it
                </button>
              </div>
            ) : (
              <div className="row">
                <button type="button" className="button" onClick={() => setReplacing('view')}>
                  New watch link
                </button>
                <button type="button" className="button" onClick={() => setReplacing('edit')}>
                  New invite link
                </button>
              </div>
            )}
            {error && (
              <p role="alert" className="error small">
                {error}
              </p>
            )}
          </div>
        </details>
      )}
      {showQr && (
        <figure className="qr card">
          {/* biome-ignore lint/performance/noImgElement: a generated data: URL, nothing for next/image to optimise */}
          {qr ? <img src={qr} width={240} height={240} alt="QR code of the invite link" /> : <p className="muted">Drawing…</p>}
          <figcaption className="muted small">Scan to join from a phone</figcaption>
        </figure>
      )}
    </fieldset>
  );
}
