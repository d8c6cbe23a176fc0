import { notFound } from 'next/navigation';
import { parseSessionId } from '../../../lib/ids';
import { SessionRoot } from '../../_components/SessionRoot';
import { minTurnSeconds } from '../../_server/turnLimits';

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const id = parseSessionId((await params).id);
  if (!id) notFound();
  return <SessionRoot room={id} readOnly={false} minTurnSeconds={await minTurnSeconds()} />;
}
