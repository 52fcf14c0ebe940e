import { useState } from 'react';
import './invite-link.css';

/** An invitation link that wraps inside its box (it is one long word) with a Copy button. */
export function InviteLink({ url }: { url: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = () =>
    navigator.clipboard.writeText(url).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <div className="invite-link">
      <output aria-label="Invitation link">{url}</output>
      <button type="button" className="primary" onClick={() => void copy()}>
        {copied === 'yes' ? 'Copied' : 'Copy'}
      </button>
      {copied === 'failed' && (
        <p role="alert">The browser did not allow copying: select the link and copy it.</p>
      )}
    </div>
  );
}
