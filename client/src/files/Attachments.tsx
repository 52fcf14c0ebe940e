import { useEffect, useRef, useState } from 'react';
import type { Api } from '../api/api';
import { type FileInfo, useFileInfo } from './file-info';
import { formatBytes } from './format';

/** The largest box an image takes in the message list (px); its shape is kept. */
const IMAGE_BOX = { width: 360, height: 240 };
/** What a PDF's preview takes when the file does not say its shape. */
const PREVIEW_BOX = { width: 180, height: 240 };

/** A message's files, each as what it is: image, PDF, text, or a card to download. */
export function Attachments({ api, fileIds }: { api: Api; fileIds: readonly string[] }) {
  return (
    <ul className="attachments" aria-label="Files">
      {fileIds.map((id) => (
        <li key={id}>
          <Attachment api={api} id={id} />
        </li>
      ))}
    </ul>
  );
}

function Attachment({ api, id }: { api: Api; id: string }) {
  const { data: info, isPending, isError } = useFileInfo(api, id);
  if (isPending) return <div className="file-card loading" aria-busy="true" />;
  if (isError) return <div className="file-card muted">File not available offline</div>;
  if (!info) return <div className="file-card muted">File not available</div>;
  if (info.deleted) return <div className="file-card removed">File removed</div>;
  switch (info.kind) {
    case 'image':
      return <ImageFile info={info} />;
    case 'pdf':
      return <PdfFile info={info} />;
    case 'text':
      return <TextFile info={info} />;
    default:
      return <FileCard info={info} />;
  }
}

/** Fits `width`x`height` into `box`, keeping the shape; the box itself when the size is unknown. */
function fit(width: number | null, height: number | null, box: typeof IMAGE_BOX) {
  if (!width || !height) return box;
  const scale = Math.min(1, box.width / width, box.height / height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/**
 * An image: its tiny placeholder (blurred) in a box of the final size at once, so the row does
 * not jump, then the thumbnail; a click opens the lightbox. The original is shown only when the
 * server serves it inline (allowlisted raster images); otherwise a download card.
 */
function ImageFile({ info }: { info: FileInfo }) {
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const shown =
    info.urls.thumbLarge ?? info.urls.thumbSmall ?? (info.inline ? info.urls.original : null);
  if (!shown && info.processing !== 'pending') return <FileCard info={info} />;
  const size = fit(info.width, info.height, IMAGE_BOX);
  return (
    <>
      <button
        type="button"
        className="file-image"
        aria-label={`Open ${info.name}`}
        title={info.name}
        onClick={() => setOpen(true)}
        disabled={!shown}
        style={{
          ...size,
          backgroundImage: info.placeholder ? `url("${info.placeholder}")` : undefined,
        }}
      >
        {shown ? (
          <img
            src={shown}
            alt={info.name}
            width={size.width}
            height={size.height}
            className={loaded ? 'loaded' : undefined}
            onLoad={() => setLoaded(true)}
          />
        ) : (
          <span className="preparing">Preparing preview…</span>
        )}
      </button>
      {open && <Lightbox info={info} onClose={() => setOpen(false)} />}
    </>
  );
}

/**
 * An image over the page in a modal <dialog>: the browser keeps the focus inside and the page
 * behind inert; Escape or the close button (or a click beside the image) closes it.
 */
function Lightbox({ info, onClose }: { info: FileInfo; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    const before = document.activeElement;
    element?.showModal();
    return () => {
      element?.close();
      if (before instanceof HTMLElement) before.focus();
    };
  }, []);
  const large = (info.inline ? info.urls.original : null) ?? info.urls.thumbLarge;
  return (
    <dialog
      ref={dialog}
      className="lightbox"
      aria-label={info.name}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      onKeyDown={(event) => {
        // Escape is the dialog's cancel; this keeps it from reaching the thread panel's handler.
        if (event.key === 'Escape') event.stopPropagation();
      }}
    >
      <header>
        <span className="file-name" title={info.name}>
          {info.name}
        </span>
        <a href={info.urls.original} download={info.name}>
          Download
        </a>
        <button type="button" className="close-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {large && <img className="lightbox-image" src={large} alt={info.name} />}
    </dialog>
  );
}

/** A PDF: its first page as an image, its page count, and the download. */
function PdfFile({ info }: { info: FileInfo }) {
  const size = fit(info.width, info.height, PREVIEW_BOX);
  return (
    <div className="file-card pdf">
      {info.urls.preview ? (
        <a href={info.urls.original} download={info.name} className="preview">
          <img
            src={info.urls.preview}
            alt={`First page of ${info.name}`}
            width={size.width}
            height={size.height}
          />
        </a>
      ) : (
        info.processing === 'pending' && <span className="preparing">Preparing preview…</span>
      )}
      <FileLine info={info} detail={info.pages ? pagesLabel(info.pages) : null} />
    </div>
  );
}

const pagesLabel = (pages: number) => `${pages} ${pages === 1 ? 'page' : 'pages'}`;

/** A text or code file: its first lines, then the download. */
function TextFile({ info }: { info: FileInfo }) {
  return (
    <div className="file-card text-file">
      <FileLine info={info} />
      {info.textPreview !== null && <pre>{info.textPreview}</pre>}
    </div>
  );
}

/** What a file's badge says: its extension ("PDF", "ZIP"), or its kind when it has none. */
export function badgeOf(name: string, kind: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1) : '';
  return (/^[a-z0-9]{1,4}$/i.test(extension) ? extension : kind).toUpperCase().slice(0, 5);
}

/** Any other file (and active content, never shown inline): an icon, name, size, download. */
function FileCard({ info }: { info: FileInfo }) {
  const duration = info.durationMs !== null ? `${Math.round(info.durationMs / 1000)} s` : null;
  return (
    <div className="file-card">
      <FileLine info={info} detail={duration} />
    </div>
  );
}

function FileLine({ info, detail }: { info: FileInfo; detail?: string | null }) {
  return (
    <div className="file-line">
      <span className={`file-icon kind-${info.kind}`} aria-hidden="true">
        {badgeOf(info.name, info.kind)}
      </span>
      <span className="file-name" title={info.name}>
        {info.name}
      </span>
      <span className="muted">
        {formatBytes(info.size)}
        {detail ? ` · ${detail}` : ''}
      </span>
      <a href={info.urls.original} download={info.name} aria-label={`Download ${info.name}`}>
        Download
      </a>
    </div>
  );
}
