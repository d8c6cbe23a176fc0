import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="page narrow center">
      <p className="eyebrow">404</p>
      <h1>No such session</h1>
      <p className="muted">The link may be mistyped, or the session was never created. Session links are long and random, so they cannot be guessed.</p>
      <Link className="button primary" href="/">
        Start a new session
      </Link>
    </main>
  );
}
