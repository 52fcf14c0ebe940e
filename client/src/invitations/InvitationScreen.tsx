import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type Api, ApiError } from '../api/api';
import { navigate } from '../routing/router';
import './invitations.css';
import { ErrorAlert } from '../ui/ErrorAlert';

type Role = 'admin' | 'member' | 'guest';

/** "as a member", "as an admin": the article follows the sound of the role's first letter. */
export function asRole(role: Role): string {
  return `as ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

/** What `/invite/<token>` is for; anyone holding the link may read it, signed in or not. */
function useInvitation(api: Api, token: string) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.request('GET /api/invitations/{token}', { params: { token } }),
    retry: false,
  });
}

function Summary({
  api,
  token,
  action,
  Heading,
}: {
  api: Api;
  token: string;
  action: string;
  /** One h1 per view: the sign-in page has its own. */
  Heading: 'h1' | 'h2';
}) {
  const invitation = useInvitation(api, token);
  const about = invitation.data?.invitation;
  if (invitation.isPending) return <p>Opening the invitation…</p>;
  if (!about)
    return (
      <p role="alert">
        {invitation.error instanceof ApiError && invitation.error.status === 0
          ? 'The invitation cannot be checked while offline.'
          : 'This invitation is not valid: it expired, was used up or was revoked. Ask for a new one.'}
      </p>
    );
  return (
    <>
      <Heading>
        Join <bdi>{about.workspace}</bdi>
      </Heading>
      <p>
        <bdi>{about.invitedBy ?? 'Someone'}</bdi> invited you to <bdi>{about.workspace}</bdi>{' '}
        {asRole(about.role)}
        {about.email ? (
          <>
            {' '}
            (for <bdi>{about.email}</bdi>)
          </>
        ) : null}
        . {action}
      </p>
    </>
  );
}

/** Before signing in: the invitation, above the sign-up form it survives. */
export function InvitationIntro({ api, token }: { api: Api; token: string }) {
  return (
    <section className="invitation-intro" aria-label="Invitation">
      <Summary
        api={api}
        token={token}
        action="Create an account or log in to accept."
        Heading="h2"
      />
    </section>
  );
}

/** Signed in: the invitation and joining it; done, the workspace opens. */
export function InvitationScreen({ api, token }: { api: Api; token: string }) {
  const client = useQueryClient();
  const invitation = useInvitation(api, token);
  const accept = useMutation({
    mutationFn: () => api.request('POST /api/invitations/{token}/accept', { params: { token } }),
    onSuccess: async ({ workspaceId }) => {
      await client.invalidateQueries({ queryKey: ['workspaces'] });
      navigate(`/w/${workspaceId}`, { replace: true });
    },
  });
  const about = invitation.data?.invitation;
  return (
    <main className="auth invitation" aria-label="Invitation">
      <Summary api={api} token={token} action="" Heading="h1" />
      {about && (
        <button
          type="button"
          className="primary"
          disabled={accept.isPending}
          onClick={() => accept.mutate()}
        >
          Join {about.workspace}
        </button>
      )}
      <ErrorAlert error={accept.error} fallback="Could not join." />
      <button type="button" className="secondary" onClick={() => navigate('/', { replace: true })}>
        Not now
      </button>
    </main>
  );
}
