'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

const NOTIFY_PREF_KEY = 'mobflow:notify';
/** How long the title flash stays in a tab that is in front of someone. */
const FLASH_SEEN_MS = 10_000;

type Tone = 'end' | 'warning';
const TONES: Record<Tone, { freqs: number[]; gain: number; noteMs: number }> = {
  end: { freqs: [660, 880, 990], gain: 0.25, noteMs: 180 },
  warning: { freqs: [520], gain: 0.08, noteMs: 220 },
};

export interface TurnEvent {
  /** Changes whenever a phase ends (turn count + phase + start time). */
  key: string;
  title: string;
  body: string;
}

export interface TurnAlertsInput {
  /** Identifies the running phase ("turn 3 started at ..."); null when nothing runs. */
  phaseKey: string | null;
  /** The turn is in its warning window (timerView's isWarning): the soft chime plays once per phase. */
  warning: boolean;
  /** The latest end of a phase; a new key triggers the end alert (never on first render). */
  event: TurnEvent | null;
  /** What the tab title says while the timer runs or is paused ('' for the page's own title). */
  title: string;
}

export interface TurnAlerts {
  soundReady: boolean;
  notify: 'unsupported' | 'denied' | 'off' | 'on';
  enableNotifications(): void;
  disableNotifications(): void;
}

/**
 * End-of-turn and soft-warning alerts: a WebAudio chime (browsers allow audio only after a user
 * gesture, so the AudioContext is created on the first one), an opt-in browser notification
 * (which also reaches background tabs), and the tab title. Alerts are driven by doc changes the
 * server wrote, so every tab fires once per turn end, including background ones.
 */
export function useTurnAlerts({ phaseKey, warning, event, title }: TurnAlertsInput): TurnAlerts {
  const audio = useRef<AudioContext | null>(null);
  const [soundReady, setSoundReady] = useState(false);
  const [notify, setNotify] = useState<TurnAlerts['notify']>('off');
  const lastEvent = useRef<string | null | undefined>(undefined);
  const warned = useRef<string | null>(null);
  const [flash, setFlash] = useState<string | null>(null);

  useEffect(() => {
    const unlock = () => {
      if (!audio.current && typeof AudioContext !== 'undefined') audio.current = new AudioContext();
      void audio.current?.resume().then(() => setSoundReady(audio.current?.state === 'running'));
    };
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);

  useEffect(() => {
    if (typeof Notification === 'undefined') return setNotify('unsupported');
    if (Notification.permission === 'denied') return setNotify('denied');
    setNotify(Notification.permission === 'granted' && window.localStorage.getItem(NOTIFY_PREF_KEY) === 'on' ? 'on' : 'off');
  }, []);

  const play = useCallback((tone: Tone) => {
    const ctx = audio.current;
    if (ctx?.state !== 'running') return;
    const { freqs, gain, noteMs } = TONES[tone];
    freqs.forEach((f, i) => {
      const at = ctx.currentTime + (i * noteMs) / 1000;
      const osc = ctx.createOscillator();
      const g = ctx.createGain();
      osc.frequency.value = f;
      g.gain.setValueAtTime(gain, at);
      g.gain.exponentialRampToValueAtTime(0.001, at + noteMs / 1000);
      osc.connect(g).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + noteMs / 1000);
    });
  }, []);

  // End of a phase: chime, notification, title flash. Never for the state found on first render.
  useEffect(() => {
    const key = event?.key ?? null;
    if (lastEvent.current === undefined || lastEvent.current === key) {
      lastEvent.current = key;
      return;
    }
    lastEvent.current = key;
    if (!event) return;
    play('end');
    setFlash(`⏰ ${event.title}`);
    if (notify === 'on' && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      try {
        new Notification(event.title, { body: event.body, tag: 'mobflow-turn' });
      } catch {
        // Some platforms only allow notifications from a service worker; the title and sound still fire.
      }
    }
  }, [event, notify, play]);

  useEffect(() => {
    if (!warning || !phaseKey || warned.current === phaseKey) return;
    warned.current = phaseKey;
    play('warning');
  }, [warning, phaseKey, play]);

  // The flash stays until this tab is looked at or the next phase starts.
  useEffect(() => {
    if (!flash) return;
    const clear = () => {
      if (document.visibilityState === 'visible' && document.hasFocus()) setFlash(null);
    };
    window.addEventListener('focus', clear);
    window.addEventListener('pointerdown', clear);
    return () => {
      window.removeEventListener('focus', clear);
      window.removeEventListener('pointerdown', clear);
    };
  }, [flash]);
  // Someone looking at the tab has seen it: the flash goes after a while on its own.
  useEffect(() => {
    if (!flash || document.visibilityState !== 'visible' || !document.hasFocus()) return;
    const t = setTimeout(() => setFlash(null), FLASH_SEEN_MS);
    return () => clearTimeout(t);
  }, [flash]);

  const original = useRef<string | null>(null);
  useEffect(() => {
    original.current ??= document.title;
    document.title = flash ?? (title || original.current);
  }, [flash, title]);
  useEffect(
    () => () => {
      if (original.current !== null) document.title = original.current;
    },
    [],
  );

  const enableNotifications = useCallback(() => {
    if (typeof Notification === 'undefined') return;
    void Notification.requestPermission().then((p) => {
      window.localStorage.setItem(NOTIFY_PREF_KEY, p === 'granted' ? 'on' : 'off');
      setNotify(p === 'granted' ? 'on' : p === 'denied' ? 'denied' : 'off');
    });
  }, []);
  const disableNotifications = useCallback(() => {
    window.localStorage.setItem(NOTIFY_PREF_KEY, 'off');
    setNotify('off');
  }, []);

  return { soundReady, notify, enableNotifications, disableNotifications };
}
