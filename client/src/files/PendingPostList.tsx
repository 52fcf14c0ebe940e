import type { PendingPosts } from './use-pending-posts';

/**
 * Messages with files that are not posted yet: sending (their files upload first, after a
 * reload too), or refused with the reason and a Discard.
 */
export function PendingPostList({ pending }: { pending: PendingPosts }) {
  if (!pending.posts.length) return null;
  return (
    <ul className="pending-posts" aria-label="Sending">
      {pending.posts.map((post) => (
        <li key={post.id} aria-label={post.failed ? 'Not sent' : 'Sending'}>
          {post.text && <span className="text">{post.text}</span>}
          <ul className="pending-files" aria-label="Files">
            {post.files.map((file) => (
              <li key={file.key} className="pending-file file-name" title={file.name}>
                {file.name}
              </li>
            ))}
          </ul>
          {post.failed ? (
            <>
              <span role="alert">Not sent: {post.failed}</span>{' '}
              <button type="button" onClick={() => pending.discard(post.id)}>
                Discard
              </button>
            </>
          ) : (
            <span className="status sending">sending…</span>
          )}
        </li>
      ))}
    </ul>
  );
}
