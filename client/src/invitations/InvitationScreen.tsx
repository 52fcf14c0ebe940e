import { useMutation, useQuery } from '@tanstack/react-query';
import { type Api, ApiError } from '../api/api';

/** `/invite/<token>`: what the invitation is for, and joining with the signed-in account. */
export function InvitationScreen({
  api,
  token,
  onDone,
}: {
  api: Api;
  token: string;
  onDone: () => void;
}) {
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.request('GET /api/invitations/{token}', { params: { token } }),
    retry: false,
  });
  const accept = useMutation({
    mutationFn: () => api.request('POST /api/invitations/{token}/accept', { params: { token } }),
    onSuccess: onDone,
  });
  const about = invitation.data?.invitation;
  return (
    <main className="auth" aria-label="Invitation">
      {invitation.isPending && <p>Opening the invitation…</p>}
      {invitation.isError && (
        <p role="alert">This invitation is not valid: it expired, was used or was revoked.</p>
      )}
      {about && (
        <>
          <h1>Join {about.workspace}</h1>
          <p>
            {about.invitedBy ?? 'Someone'} invited you as {about.role === 'guest' ? 'a' : 'an'}{' '}
            {about.role}
            {about.email ? ` (${about.email})` : ''}.
          </p>
          <button type="button" disabled={accept.isPending} onClick={() => accept.mutate()}>
            Join {about.workspace}
          </button>
        </>
      )}
      {accept.error && (
        <p role="alert">
          {accept.error instanceof ApiError ? accept.error.message : 'Could not join.'}
        </p>
      )}
      <button type="button" className="link" onClick={onDone}>
        Not now
      </button>
    </main>
  );
}
