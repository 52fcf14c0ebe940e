import type { Intent } from '@confab/db/model';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Api } from '../api/api';
import { useActivity } from './activity';
import { type OpenDoc, openDoc } from './open-doc';

const failedKey = (name: string) => `confab.failed:${name}`;

function savedFailures(name: string): Intent[] {
  const saved = localStorage.getItem(failedKey(name));
  return saved ? (JSON.parse(saved) as Intent[]) : [];
}

export interface SyncDoc {
  open: OpenDoc | null;
  /** What the server refused (or came with a refused change): kept for the user to retry or copy. */
  failed: Intent[];
  retry(intent: Intent): void;
  dismiss(intent: Intent): void;
}

interface Entry {
  open: OpenDoc | null;
  closed: boolean;
}

/**
 * Opens sync docs for as long as the component shows them (each null until IndexedDB or the
 * server delivered it), opening and closing docs as the list changes without touching the
 * others, and re-renders on every change and whenever a pending state flips. When the server
 * refuses a change, that doc is rebuilt from the server's state and every pending intent becomes
 * a failed draft, never lost and never re-sent behind the user's back [S5].
 */
export function useSyncDocs(
  api: Api,
  userId: string,
  names: readonly string[],
): Map<string, SyncDoc> {
  const entries = useRef(new Map<string, Entry>());
  const [opened, setOpened] = useState<ReadonlyMap<string, OpenDoc>>(new Map());
  const [failures, setFailures] = useState<ReadonlyMap<string, Intent[]>>(new Map());
  const keepFailed = useCallback((name: string, intents: Intent[]) => {
    localStorage.setItem(failedKey(name), JSON.stringify(intents));
    setFailures((before) => new Map(before).set(name, intents));
  }, []);
  const key = names.join('\n');

  useEffect(() => {
    const wanted = key ? key.split('\n') : [];
    const show = (name: string, open: OpenDoc | null) =>
      setOpened((before) => {
        const next = new Map(before);
        if (open) next.set(name, open);
        else next.delete(name);
        return next;
      });
    const start = (name: string) => {
      const entry: Entry = { open: null, closed: false };
      entries.current.set(name, entry);
      const rejected = async () => {
        const doc = entry.open;
        if (!doc || entry.closed) return;
        keepFailed(name, [...savedFailures(name), ...doc.outbox.pending]);
        await doc.outbox.discard();
        await doc.discard();
        show(name, null);
        if (!entry.closed) start(name);
      };
      const refused = (intent: Intent) => keepFailed(name, [...savedFailures(name), intent]);
      void openDoc(api, name, {
        userId,
        onRejected: () => void rejected(),
        onRefused: refused,
      }).then((open) => {
        if (entry.closed) return open.close();
        entry.open = open;
        show(name, open);
      });
    };
    for (const name of wanted) {
      if (entries.current.has(name)) continue;
      setFailures((before) => new Map(before).set(name, savedFailures(name)));
      start(name);
    }
    for (const [name, entry] of entries.current) {
      if (wanted.includes(name)) continue;
      entry.closed = true;
      entry.open?.close();
      entries.current.delete(name);
      show(name, null);
    }
  }, [api, userId, key, keepFailed]);
  useEffect(
    () => () => {
      for (const entry of entries.current.values()) {
        entry.closed = true;
        entry.open?.close();
      }
      entries.current.clear();
    },
    [],
  );

  // A channel's rules changed (the activity stream says memberships changed): reload them.
  useActivity((activity) => {
    if (activity.kind !== 'channels') return;
    for (const open of opened.values()) void open.refreshRules();
  });

  // Any doc's change re-renders: the snapshot sums counters that only grow.
  useSyncExternalStore(
    useCallback(
      (notify: () => void) => {
        const stops = [...opened.values()].map((open) => open.subscribe(notify));
        return () => {
          for (const stop of stops) stop();
        };
      },
      [opened],
    ),
    () => [...opened.values()].reduce((sum, open) => sum + open.version(), opened.size),
  );

  const result = new Map<string, SyncDoc>();
  for (const name of names) {
    const open = opened.get(name) ?? null;
    const failed = failures.get(name) ?? [];
    const dismiss = (intent: Intent) =>
      keepFailed(
        name,
        failed.filter((candidate) => candidate !== intent),
      );
    result.set(name, {
      open,
      failed,
      dismiss,
      retry(intent) {
        if (!open) return;
        dismiss(intent);
        // The rules may have changed since the refusal; then the same intent again (a refused
        // post's id was never taken, so it is reused).
        void open
          .refreshRules()
          .then(() => open.perform(intent))
          .catch(() => keepFailed(name, [...failed, intent]));
      },
    });
  }
  return result;
}

/** No doc (yet): what a pane shows while its doc loads. */
export const NO_SYNC_DOC: SyncDoc = { open: null, failed: [], retry() {}, dismiss() {} };

/** One doc (or none while `name` is null): `useSyncDocs` for a single name. */
export function useSyncDoc(api: Api, userId: string, name: string | null): SyncDoc {
  const docs = useSyncDocs(api, userId, name ? [name] : []);
  return (name && docs.get(name)) || NO_SYNC_DOC;
}
