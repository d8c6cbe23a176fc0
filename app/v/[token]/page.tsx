import { notFound } from 'next/navigation';
import { parseViewToken } from '../../../lib/ids';
import { SessionRoot } from '../../_components/SessionRoot';
import { minTurnSeconds } from '../../_server/turnLimits';

export default async function ViewPage({ params }: { params: Promise<{ token: string }> }) {
  const token = parseViewToken((await params).token);
  if (!token) notFound();
  return <SessionRoot room={token} readOnly minTurnSeconds={await minTurnSeconds()} />;
}
