import { CreateSessionForm } from './_components/CreateSessionForm';
import { minTurnSeconds } from './_server/turnLimits';

export default async function Home() {
  return (
    <main className="page narrow">
      <header className="hero">
        <p className="eyebrow">Mobflow</p>
        <h1>One task. One timer. One log.</h1>
        <p className="lede">
          Start a mob session, share the link, and the whole team sees the same current task, the same driver
          rotation and the same decisions — live.
        </p>
      </header>
      <CreateSessionForm minTurnSeconds={await minTurnSeconds()} />
      <ul className="features" aria-label="What you get">
        <li>
          <strong>Join by link</strong> — no accounts; everyone sees who is here.
        </li>
        <li>
          <strong>A fair rotation</strong> — a server-owned turn timer every screen agrees on.
        </li>
        <li>
          <strong>Watch link</strong> — stakeholders follow along, read-only.
        </li>
      </ul>
    </main>
  );
}
