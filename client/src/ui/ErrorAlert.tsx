import { ApiError } from '../api/api';

/** A failed request, said where it happened: the server's message, or `fallback` without one. */
export function ErrorAlert({ error, fallback }: { error: unknown; fallback: string }) {
  if (!error) return null;
  return <p role="alert">{error instanceof ApiError ? error.message : fallback}</p>;
}
