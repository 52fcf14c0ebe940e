import { type PointerEvent, useCallback, useEffect, useRef, useState } from 'react';

/** How long a finger rests on a message before its menu opens (Android's own long press). */
const LONG_PRESS_MS = 500;
/** A finger moving farther than this (px) is scrolling, not pressing. */
const SLOP_PX = 10;

/**
 * The message whose action menu a long press opened on a touch screen, and the handlers that
 * open it (put on the list; rows carry `data-message-id`). A tap outside the menu or Escape
 * closes it. Mouse and pen input are left alone: they have hover and right click.
 */
export function useLongPressMenu() {
  const [open, setOpen] = useState<string | null>(null);
  const press = useRef<{ timer: ReturnType<typeof setTimeout>; x: number; y: number } | null>(null);
  const cancel = useCallback(() => {
    if (press.current) clearTimeout(press.current.timer);
    press.current = null;
  }, []);
  useEffect(() => cancel, [cancel]);
  useEffect(() => {
    if (!open) return;
    const outside = (event: Event) => {
      const row = (event.target as Element | null)?.closest?.('[data-message-id]');
      if (row?.getAttribute('data-message-id') !== open) setOpen(null);
    };
    const onEscape = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(null);
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('keydown', onEscape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('keydown', onEscape);
    };
  }, [open]);
  const handlers = {
    onPointerDown(event: PointerEvent<HTMLElement>) {
      cancel();
      if (event.pointerType !== 'touch') return;
      const target = event.target as Element;
      // A press on a control is that control's, not the message's.
      if (target.closest('button, a, textarea, input, summary')) return;
      const id = target.closest('[data-message-id]')?.getAttribute('data-message-id');
      if (!id) return;
      const { clientX: x, clientY: y } = event;
      press.current = {
        x,
        y,
        timer: setTimeout(() => {
          press.current = null;
          setOpen(id);
        }, LONG_PRESS_MS),
      };
    },
    onPointerMove(event: PointerEvent<HTMLElement>) {
      const start = press.current;
      if (start && Math.hypot(event.clientX - start.x, event.clientY - start.y) > SLOP_PX) cancel();
    },
    onPointerUp: cancel,
    onPointerCancel: cancel,
  };
  return { open, close: () => setOpen(null), handlers };
}
