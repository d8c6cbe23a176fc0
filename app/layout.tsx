import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

// Every page is rendered per request: the server's Content-Security-Policy carries a fresh nonce
// that Next.js must put on its inline scripts, which a prerendered page cannot have.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Mobflow',
  description: 'One task, one rotation timer, one decision log — for the whole mob.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f7f7fb' },
    { media: '(prefers-color-scheme: dark)', color: '#12131a' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
