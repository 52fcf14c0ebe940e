import { type DragEvent, useState } from 'react';

const carriesFiles = (event: DragEvent) => [...event.dataTransfer.types].includes('Files');

/**
 * Makes an element a drop target for files (dragged from the desktop or another page): `over`
 * is true while files are dragged over it, and `add` gets them when dropped. Other drags (text,
 * links) pass through untouched.
 */
export function useFileDrop(add: (files: File[]) => void) {
  const [over, setOver] = useState(false);
  return {
    over,
    handlers: {
      onDragOver(event: DragEvent) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      },
      onDragLeave(event: DragEvent) {
        // Moving onto a child leaves the parent too: only leaving the whole area counts.
        if (
          event.relatedTarget instanceof Node &&
          event.currentTarget.contains(event.relatedTarget)
        )
          return;
        setOver(false);
      },
      onDrop(event: DragEvent) {
        setOver(false);
        if (!event.dataTransfer.files.length) return;
        event.preventDefault();
        add([...event.dataTransfer.files]);
      },
    },
  };
}
