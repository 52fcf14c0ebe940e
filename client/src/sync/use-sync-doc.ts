import type { Intent } from '@confab/db/model';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Api } from '../api/api';
import { type OpenDoc, openDoc } from './open-doc';

const failedKey = (name: string) => `confab.failed:${name}`;

function savedFailures(name: string | null): Intent[] {
  const saved = name ? localStorage.getItem(failedKey(name)) : null;
  return saved ? (JSON.parse(saved) as Intent[]) : [];
}

export interface SyncDoc {
  open: OpenDoc | null;
  /** What the server refused (or came with a refused change): kept for the user to retry or copy. */
  failed: Intent[];
  retry(intent: Intent): void;
  dismiss(intent: Intent): void;
}

/**
 * Opens a sync doc for as long as the component shows it (null until IndexedDB or the server
 * delivered it), and re-renders on every change and whenever its pending state flips. When the
 * server refuses a change, the doc is rebuilt from the server's state and every pending intent
 * becomes a failed draft, never lost and never re-sent behind the user's back [S5].
 */
export function useSyncDoc(api: Api, name: string | null): SyncDoc {
  const [open, setOpen] = useState<OpenDoc | null>(null);
  const [generation, setGeneration] = useState(0);
  const [failed, setFailed] = useState<Intent[]>(() => savedFailures(name));
  const keepFailed = useCallback(
    (next: Intent[]) => {
      setFailed(next);
      if (name) localStorage.setItem(failedKey(name), JSON.stringify(next));
    },
    [name],
  );
  useEffect(() => {
    setFailed(savedFailures(name));
  }, [name]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation reopens the doc after a rejection
  useEffect(() => {
    if (!name) return;
    let current: OpenDoc | null = null;
    let live = true;
    const rejected = async () => {
      const doc = current;
      if (!doc || !live) return;
      keepFailed([...savedFailures(name), ...doc.outbox.pending]);
      await doc.outbox.discard();
      await doc.discard();
      current = null;
      setOpen(null);
      setGeneration((n) => n + 1);
    };
    void openDoc(api, name, () => void rejected()).then((opened) => {
      if (!live) return opened.close();
      current = opened;
      setOpen(opened);
    });
    return () => {
      live = false;
      current?.close();
      setOpen(null);
    };
  }, [api, name, generation, keepFailed]);
  useSyncExternalStore(
    useCallback((notify: () => void) => open?.subscribe(notify) ?? (() => {}), [open]),
    () => open?.version() ?? 0,
  );
  const dismiss = (intent: Intent) =>
    keepFailed(failed.filter((candidate) => candidate !== intent));
  return {
    open,
    failed,
    dismiss,
    retry(intent) {
      if (!open) return;
      dismiss(intent);
      // The same intent again: a refused post's id was never taken, so it is reused.
      void open.perform(intent).catch(() => keepFailed([...failed, intent]));
    },
  };
}
