import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A modal dialog: labelled, focus moved into it on open and back where it was on close, Esc
 * closes. The native <dialog> element gives the focus trap and the inert background.
 */
export function Dialog({
  label,
  onClose,
  children,
}: {
  label: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const before = document.activeElement;
    dialog?.showModal();
    return () => {
      dialog?.close();
      if (before instanceof HTMLElement) before.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-label={label}
      onCancel={(event) => {
        // Esc: let React decide, so the dialog closes exactly when its owner drops it.
        event.preventDefault();
        onClose();
      }}
    >
      <header>
        <h2>{label}</h2>
        <button type="button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}
