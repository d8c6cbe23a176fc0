'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { type ClockEstimate, type ClockSample, estimateOffset, keepRecent } from '../../lib/clock';
import type { ClientToServer, ServerToClient } from '../../lib/protocol/events';

/** Pings taken in a burst on (re)connect; the best round trip wins. */
const BURST = 5;
/** One more sample this often, so drift and network changes are followed. */
const RESAMPLE_MS = 30_000;
const KEEP_SAMPLES = 10;
const PING_TIMEOUT_MS = 5_000;

export interface ServerClock {
  /** Estimated server time now (client clock + offset; the client clock until a sample arrived). */
  now(): number;
  estimate: ClockEstimate | null;
}

/** Estimates the offset of this browser's clock to the server's, NTP-style over socket.io. */
export function useServerClock(socket: Socket<ServerToClient, ClientToServer>): ServerClock {
  const [estimate, setEstimate] = useState<ClockEstimate | null>(null);
  const samples = useRef<ClockSample[]>([]);
  const offset = useRef(0);

  useEffect(() => {
    let cancelled = false;
    const ping = () =>
      new Promise<void>((resolve) => {
        const sentAt = Date.now();
        socket.timeout(PING_TIMEOUT_MS).emit('clock:ping', (err, reply) => {
          if (!cancelled && !err && reply?.ok) {
            samples.current = keepRecent(samples.current, { sentAt, serverNow: reply.value.serverNow, receivedAt: Date.now() }, KEEP_SAMPLES);
            const e = estimateOffset(samples.current);
            if (e) {
              offset.current = e.offsetMs;
              setEstimate(e);
            }
          }
          resolve();
        });
      });
    const burst = async () => {
      // A new connection may take a new route: start the sample window afresh.
      samples.current = [];
      for (let i = 0; i < BURST && !cancelled && socket.connected; i++) await ping();
    };
    if (socket.connected) void burst();
    socket.on('connect', burst);
    const timer = setInterval(() => {
      if (socket.connected) void ping();
    }, RESAMPLE_MS);
    return () => {
      cancelled = true;
      socket.off('connect', burst);
      clearInterval(timer);
    };
  }, [socket]);

  const now = useCallback(() => Date.now() + offset.current, []);
  return { now, estimate };
}

/** Re-renders every `intervalMs` while `active` (an interval only re-renders; nothing counts down). */
export function useTick(active: boolean, intervalMs = 250): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setTick((n) => n + 1), intervalMs);
    return () => clearInterval(t);
  }, [active, intervalMs]);
}
