import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { Api, RequestArgs, User } from '../api/api';
import { Dialog } from '../ui/Dialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { InviteLink } from './InviteLink';

/** The workspace's members (not for guests, who may not list them). */
export function useWorkspaceMembers(api: Api, workspaceId: string, enabled = true) {
  return useQuery({
    queryKey: ['workspace-members', workspaceId],
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/members', { params: { workspaceId } }),
    enabled,
  });
}

/** Picks one person (a DM) or up to eight (a group DM) and opens that conversation. */
export function DmPicker({
  api,
  user,
  workspaceId,
  onOpen,
  onClose,
}: {
  api: Api;
  user: User;
  workspaceId: string;
  onOpen: (channelId: string) => void;
  onClose: () => void;
}) {
  const members = useWorkspaceMembers(api, workspaceId);
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const client = useQueryClient();
  const start = useMutation({
    mutationFn: (userIds: string[]) =>
      api.request('POST /api/workspaces/{workspaceId}/dms', {
        params: { workspaceId },
        body: { userIds },
      }),
    onSuccess: async ({ channel }) => {
      await client.invalidateQueries({ queryKey: ['channels', workspaceId] });
      onOpen(channel.id);
    },
  });
  const needle = query.trim().toLowerCase();
  const others = (members.data?.members ?? []).filter(
    (member) =>
      member.userId !== user.id &&
      (member.name.toLowerCase().includes(needle) || member.email.includes(needle)),
  );
  const toggle = (userId: string) =>
    setPicked((now) =>
      now.includes(userId) ? now.filter((id) => id !== userId) : [...now, userId].slice(0, 8),
    );
  return (
    <Dialog label="New direct message" onClose={onClose}>
      <input
        type="search"
        aria-label="Find people"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <ul className="people" aria-label="People">
        {others.map((member) => (
          <li key={member.userId}>
            <label className="inline">
              <input
                type="checkbox"
                checked={picked.includes(member.userId)}
                onChange={() => toggle(member.userId)}
              />
              {member.name} <span className="muted">{member.email}</span>
            </label>
          </li>
        ))}
      </ul>
      <button
        type="button"
        disabled={!picked.length || start.isPending}
        onClick={() => start.mutate(picked)}
      >
        {picked.length > 1 ? 'Start group conversation' : 'Start conversation'}
      </button>
      {members.isError && <p role="alert">You cannot list this workspace's people.</p>}
      <ErrorAlert error={start.error} fallback="Could not start it." />
    </Dialog>
  );
}

type Invite = NonNullable<RequestArgs<'POST /api/workspaces/{workspaceId}/invitations'>['body']>;

/** Makes an invitation: to an email address (mailed), or a link to share; shows the link once. */
export function InviteDialog({
  api,
  workspaceId,
  onClose,
}: {
  api: Api;
  workspaceId: string;
  onClose: () => void;
}) {
  const invite = useMutation({
    mutationFn: (body: Invite) =>
      api.request('POST /api/workspaces/{workspaceId}/invitations', {
        params: { workspaceId },
        body,
      }),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '').trim();
    // The role comes from the form's own <select>, so it is one of the roles offered.
    const role = String(form.get('role') ?? 'member') as Invite['role'];
    invite.mutate({ ...(email ? { email } : {}), role });
  }
  return (
    <Dialog label="Invite people" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Email (leave empty for a link anyone may use)
          <input name="email" type="email" maxLength={254} />
        </label>
        <label>
          As
          <select name="role" defaultValue="member">
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={invite.isPending}>
          Invite
        </button>
      </form>
      {invite.data && (
        <>
          <p>Invitation link (shown once, valid 7 days):</p>
          <InviteLink url={invite.data.url} />
        </>
      )}
      <ErrorAlert error={invite.error} fallback="Could not invite." />
    </Dialog>
  );
}
