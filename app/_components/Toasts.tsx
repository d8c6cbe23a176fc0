'use client';

import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';

/** How long an "Undo" stays offered. */
export const UNDO_MS = 8_000;

export interface Toast {
  message: string;
  /** One action (usually "Undo"); running it closes the toast. */
  action?: { label: string; run(): void | Promise<void> };
}

type Notify = (toast: Toast) => void;

const Ctx = createContext<Notify>(() => undefined);

/** Short messages after an action, with an "Undo" for destructive ones; one at a time, newest wins. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<(Toast & { id: number }) | null>(null);
  const next = useRef(0);
  const notify = useCallback<Notify>((t) => setToast({ ...t, id: ++next.current }), []);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast((cur) => (cur?.id === toast.id ? null : cur)), UNDO_MS);
    return () => clearTimeout(timer);
  }, [toast]);
  const value = useMemo(() => notify, [notify]);
  return (
    <Ctx.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toast && (
          <div className="toast card" key={toast.id}>
            <span>{toast.message}</span>
            {toast.action && (
              <button
                type="button"
                className="button"
                onClick={() => {
                  const run = toast.action?.run;
                  setToast(null);
                  void run?.();
                }}
              >
                {toast.action.label}
              </button>
            )}
            <button type="button" className="button ghost icon" aria-label="Dismiss" onClick={() => setToast(null)}>
              ✕
            </button>
          </div>
        )}
      </div>
    </Ctx.Provider>
  );
}

export const useToast = (): Notify => useContext(Ctx);
