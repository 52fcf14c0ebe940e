import { useEffect, useRef } from 'react';
import { drawBadge, titleFor } from './badge';

/** The page's favicon link (index.html has one). */
const iconLink = () => document.querySelector<HTMLLinkElement>('link[rel="icon"]');

/**
 * Shows `count` in the tab: the title `(N) Confab` and the favicon with a badge drawn on a
 * canvas; both go back to the plain ones at zero and when the component unmounts (signed out).
 */
export function useDocumentBadge(count: number): void {
  const plain = useRef<{ href: string; type: string } | null>(null);
  const icon = useRef<HTMLImageElement | null>(null);
  useEffect(() => {
    const link = iconLink();
    if (!link) return;
    plain.current ??= { href: link.getAttribute('href') ?? '', type: link.type };
    const restore = () => {
      if (!plain.current) return;
      link.href = plain.current.href;
      link.type = plain.current.type;
    };
    document.title = titleFor(count);
    if (count <= 0) {
      restore();
      return;
    }
    let cancelled = false;
    const draw = () => {
      if (cancelled) return;
      const canvas = document.createElement('canvas');
      drawBadge(canvas, icon.current?.complete ? icon.current : null, count);
      link.type = 'image/png';
      link.href = canvas.toDataURL('image/png');
    };
    if (!icon.current) {
      icon.current = new Image();
      icon.current.src = plain.current.href;
    }
    if (icon.current.complete) draw();
    else {
      // Drawn at once without the icon, then again once it loaded, so the badge never waits.
      draw();
      icon.current.addEventListener('load', draw, { once: true });
    }
    return () => {
      cancelled = true;
      icon.current?.removeEventListener('load', draw);
    };
  }, [count]);
  useEffect(
    () => () => {
      document.title = titleFor(0);
      const link = iconLink();
      if (link && plain.current) {
        link.href = plain.current.href;
        link.type = plain.current.type;
      }
    },
    [],
  );
}
