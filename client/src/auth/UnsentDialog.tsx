import { type ReactNode, useState } from 'react';
import { Dialog } from '../ui/Dialog';

/**
 * Lists what the user wrote that the server never got, with a Copy button, before (or as) the
 * session's end deletes it from the device.
 */
export function UnsentDialog({
  label,
  texts,
  onClose,
  children,
  actions,
}: {
  label: string;
  texts: readonly string[];
  onClose: () => void;
  /** Why the texts are about to go, above the list. */
  children: ReactNode;
  /** Buttons beside Copy; Close alone when none. */
  actions?: ReactNode;
}) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = () =>
    navigator.clipboard.writeText(texts.join('\n\n')).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <Dialog label={label} onClose={onClose}>
      <div className="unsent">
        {children}
        <ul aria-label="Unsent messages">
          {texts.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
        <p className="muted" aria-live="polite">
          {copied === 'yes' && 'Copied.'}
          {copied === 'failed' && 'Copying was not allowed: select the text above to copy it.'}
        </p>
        <div className="actions">
          <button type="button" onClick={() => void copy()}>
            Copy
          </button>
          {actions ?? (
            <button type="button" onClick={onClose}>
              Close
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
