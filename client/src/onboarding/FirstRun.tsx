import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { Api } from '../api/api';
import { navigate } from '../routing/router';
import { InviteLink } from '../workspaces/InviteLink';
import { slugFrom } from '../workspaces/slug';
import { invitationToken } from './invitation-code';
import './onboarding.css';
import { ErrorAlert } from '../ui/ErrorAlert';

/** A new account's first screen: make a workspace, or join one with an invitation. */
export function FirstRun({
  api,
  onCreated,
}: {
  api: Api;
  onCreated: (workspace: { id: string; name: string }) => void;
}) {
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (name: string) =>
      api.request('POST /api/workspaces', { body: { name, slug: slugFrom(name) } }),
    onSuccess: async ({ workspace }) => {
      onCreated({ id: workspace.id, name: workspace.name });
      await client.invalidateQueries({ queryKey: ['workspaces'] });
    },
  });
  const [badCode, setBadCode] = useState(false);
  function submitCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    if (name) create.mutate(name);
  }
  function submitJoin(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const token = invitationToken(String(new FormData(event.currentTarget).get('code') ?? ''));
    setBadCode(token === null);
    if (token) navigate({ kind: 'invite', token });
  }
  return (
    <main className="onboarding" aria-labelledby="first-run-title">
      <h1 id="first-run-title">Welcome to Confab</h1>
      <p className="lead">A workspace is where your team talks. Start one, or join your team’s.</p>
      <div className="choices">
        <form onSubmit={submitCreate} aria-label="Create a workspace" className="card">
          <h2>Create a workspace</h2>
          <label>
            Workspace name
            <input name="name" required maxLength={80} placeholder="Acme Inc." />
          </label>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create workspace
          </button>
          <ErrorAlert error={create.error} fallback="Could not create it." />
        </form>
        <form onSubmit={submitJoin} aria-label="Join a workspace" className="card">
          <h2>Join a workspace</h2>
          <label>
            Invitation link or code
            <input name="code" required autoComplete="off" spellCheck={false} />
          </label>
          <button type="submit" className="secondary">
            Join
          </button>
          {badCode && (
            <p role="alert">
              That is not an invitation link. It looks like https://…/invite/ and 32 letters and
              digits.
            </p>
          )}
        </form>
      </div>
    </main>
  );
}

/** After creating a workspace: a link to invite the team with (made when asked), then #general. */
export function InviteStep({
  api,
  workspace,
  onDone,
}: {
  api: Api;
  workspace: { id: string; name: string };
  onDone: () => void;
}) {
  const invite = useMutation({
    mutationFn: () =>
      api.request('POST /api/workspaces/{workspaceId}/invitations', {
        params: { workspaceId: workspace.id },
        body: { role: 'member' },
      }),
  });
  return (
    <main className="onboarding" aria-labelledby="invite-step-title">
      <h1 id="invite-step-title">Invite your team to {workspace.name}</h1>
      <p className="lead">
        Anyone with the link can join as a member for 7 days. You can invite more people later from
        the sidebar.
      </p>
      <div className="card">
        {invite.data ? (
          <InviteLink url={invite.data.url} />
        ) : (
          <button
            type="button"
            className="primary"
            disabled={invite.isPending}
            onClick={() => invite.mutate()}
          >
            Get an invitation link
          </button>
        )}
        <ErrorAlert error={invite.error} fallback="Could not make a link." />
      </div>
      <button type="button" className="primary next" onClick={onDone}>
        Continue to #general
      </button>
    </main>
  );
}
