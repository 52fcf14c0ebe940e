/** Marks a private channel; named for screen readers, as the mark is all that says so. */
export function LockIcon() {
  return (
    <svg className="lock" viewBox="0 0 16 16" width="0.9em" height="0.9em" role="img">
      <title>Private</title>
      <path
        d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5zm1.5 0h4V5a2 2 0 0 0-4 0v2z"
        fill="currentColor"
      />
    </svg>
  );
}
