import { notFound } from 'next/navigation';
import { parseViewToken } from '../../../../lib/ids';
import { DecisionReview } from '../../../_components/DecisionReview';

export default async function ViewDecisionLogPage({ params }: { params: Promise<{ token: string }> }) {
  const token = parseViewToken((await params).token);
  if (!token) notFound();
  return <DecisionReview room={token} readOnly />;
}
