'use client';

import { useCallback } from 'react';
import { useDocSelector } from '../_hooks/useDoc';
import { selectDelivery } from './deliveryView';
import { useSession } from './SessionContext';
import '../_styles/delivery.css';

const selectAlarm = (docs: Parameters<typeof selectDelivery>[0]) => selectDelivery(docs).alarm;

/**
 * A failing pipeline at the top of the page where the Delivery panel is out of sight (one column:
 * phones, narrow windows), linking to it. Wide screens show the panel itself beside the task.
 */
export function DeliveryBanner() {
  const { conn } = useSession();
  const alarm = useDocSelector(conn.docs, useCallback(selectAlarm, []));
  if (!alarm) return null;
  return (
    <p className="banner delivery-banner" data-testid="delivery-banner">
      <a href="#delivery">{alarm}</a>
      <span className="small"> · see Delivery</span>
    </p>
  );
}
