import { formatBytes } from './format';
import type { Attachments } from './use-attachments';

/** The composer's files: one chip each with its progress, state and a remove (cancel) button. */
export function AttachmentChips({ attachments }: { attachments: Attachments }) {
  const { list, notice, remove } = attachments;
  if (!list.length && !notice) return null;
  return (
    <div className="attachment-chips">
      <ul aria-label="Attached files">
        {list.map((each) => (
          <li key={each.key} className={`attachment-chip ${each.state}`}>
            <span className="file-name" title={each.file.name}>
              {each.file.name}
            </span>
            <span className="muted">{formatBytes(each.file.size)}</span>
            {each.state === 'uploading' && (
              <>
                <progress
                  aria-label={`Uploading ${each.file.name}`}
                  max={each.file.size || 1}
                  value={each.loaded}
                />
                <span className="muted percent">
                  {Math.floor((100 * each.loaded) / (each.file.size || 1))}%
                </span>
              </>
            )}
            {each.state === 'waiting' && <span className="muted">uploads when online</span>}
            {each.state === 'uploaded' && <span className="muted">ready</span>}
            <button
              type="button"
              className="chip-remove"
              aria-label={`${each.state === 'uploading' ? 'Cancel' : 'Remove'} ${each.file.name}`}
              onClick={() => remove(each.key)}
            >
              ×
            </button>
            {each.error && (
              <span role="alert" className="attachment-error">
                {each.error}
              </span>
            )}
          </li>
        ))}
      </ul>
      {notice && <p role="alert">{notice}</p>}
    </div>
  );
}
