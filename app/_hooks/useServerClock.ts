'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import { type ClockEstimate, type ClockSample, estimateOffset, keepRecent } from '../../lib/clock';
import type { ClientToServer, ServerToClient } from '../../lib/protocol/events';
import { msUntilNextSecond } from '../_components/timerView';

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

/**
 * Re-renders when the countdown's displayed second changes: each re-render is scheduled for the
 * moment the server-clock estimate of the remaining time crosses the next whole second
 * (msUntilNextSecond), so every screen flips within its clock estimate's error of the others
 * instead of up to a polling interval apart. Rescheduled when the estimate changes. Nothing counts
 * down: the render computes the remaining time from server timestamps.
 */
export function useSecondTicks(remaining: (now: number) => number | null, clock: ServerClock, active: boolean): void {
  const [, setTick] = useState(0);
  const { now, estimate } = clock;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new estimate moves the next boundary, so it reschedules
  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const left = remaining(now());
      const wait = left === null ? null : msUntilNextSecond(left);
      if (wait === null) return;
      // Timers never fire early, but may fire in the same millisecond: at least 1 ms, rounded up.
      timer = setTimeout(() => {
        setTick((n) => n + 1);
        schedule();
      }, Math.max(1, Math.ceil(wait)));
    };
    schedule();
    return () => clearTimeout(timer);
  }, [active, remaining, now, estimate]);
}
