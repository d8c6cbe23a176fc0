'use client';

import { useEffect, useState } from 'react';
import { CopyButton } from './CopyButton';
import { useSession } from './SessionContext';

/** Copy buttons for the edit and view links, and a QR code of the edit link for phones. */
export function ShareBar() {
  const { links } = useSession();
  const [qr, setQr] = useState<string | null>(null);
  const [showQr, setShowQr] = useState(false);

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
      {showQr && (
        <div className="qr card" role="dialog" aria-label="QR code of the invite link">
          {/* biome-ignore lint/performance/noImgElement: a generated data: URL, nothing for next/image to optimise */}
          {qr ? <img src={qr} width={240} height={240} alt="QR code of the invite link" /> : <p className="muted">Drawing…</p>}
          <p className="muted small">Scan to join from a phone</p>
        </div>
      )}
    </fieldset>
  );
}
