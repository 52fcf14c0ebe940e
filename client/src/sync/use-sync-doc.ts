import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Api } from '../api/api';
import { type OpenDoc, openDoc } from './open-doc';

const versions = new WeakMap<OpenDoc, number>();

/**
 * Opens a sync doc for as long as the component shows it (null until IndexedDB or the server
 * delivered it), and re-renders on every change and whenever its pending state flips.
 */
export function useSyncDoc(api: Api, name: string | null): OpenDoc | null {
  const [open, setOpen] = useState<OpenDoc | null>(null);
  useEffect(() => {
    if (!name) return;
    let current: OpenDoc | null = null;
    let live = true;
    void openDoc(api, name).then((opened) => {
      if (!live) return opened.close();
      current = opened;
      setOpen(opened);
    });
    return () => {
      live = false;
      current?.close();
      setOpen(null);
    };
  }, [api, name]);
  useSyncExternalStore(
    (notify) => {
      if (!open) return () => {};
      const bump = () => {
        versions.set(open, (versions.get(open) ?? 0) + 1);
        notify();
      };
      open.doc.on('update', bump);
      const stop = open.tracker.onChange(bump);
      return () => {
        open.doc.off('update', bump);
        stop();
      };
    },
    () => (open ? (versions.get(open) ?? 0) : 0),
  );
  return open;
}
