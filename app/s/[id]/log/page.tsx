import { notFound } from 'next/navigation';
import { parseSessionId } from '../../../../lib/ids';
import { DecisionReview } from '../../../_components/DecisionReview';

export default async function DecisionLogPage({ params }: { params: Promise<{ id: string }> }) {
  const id = parseSessionId((await params).id);
  if (!id) notFound();
  return <DecisionReview room={id} readOnly={false} />;
}
