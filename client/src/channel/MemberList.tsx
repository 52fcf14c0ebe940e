import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type Api, ApiError, type User } from '../api/api';
import { useWatch } from '../presence/presence';
import { PersonMarks } from '../status/PersonMarks';
import { useWorkspaceMembers } from '../workspaces/PeopleDialogs';

/** Who is in the channel, and adding people from the workspace (the server decides who may). */
export function MemberList({
  api,
  user,
  channelId,
  workspaceId,
  onClose,
}: {
  api: Api;
  user: User;
  channelId: string;
  workspaceId: string;
  onClose: () => void;
}) {
  const members = useQuery({
    queryKey: ['members', channelId],
    queryFn: () => api.request('GET /api/channels/{channelId}/members', { params: { channelId } }),
  });
  const [adding, setAdding] = useState(false);
  const everyone = useWorkspaceMembers(api, workspaceId, adding);
  const client = useQueryClient();
  const add = useMutation({
    mutationFn: (userId: string) =>
      api.request('POST /api/channels/{channelId}/members', {
        params: { channelId },
        body: { userIds: [userId] },
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['members', channelId] }),
  });
  const inChannel = new Set(members.data?.members.map((member) => member.userId));
  useWatch([...inChannel]);
  return (
    <aside className="members" aria-label="Members">
      <header>
        <h3>Members ({members.data?.members.length ?? '…'})</h3>
        <button type="button" onClick={onClose} aria-label="Close the member list">
          ×
        </button>
      </header>
      <ul>
        {members.data?.members.map((member) => (
          <li key={member.userId}>
            <PersonMarks api={api} me={user.id} workspaceId={workspaceId} userId={member.userId} />
            {member.name}
            {member.userId === user.id && ' (you)'}
            {member.role === 'admin' && <span className="muted"> · channel admin</span>}
          </li>
        ))}
      </ul>
      <button type="button" aria-expanded={adding} onClick={() => setAdding(!adding)}>
        Add people
      </button>
      {adding && (
        <ul aria-label="People to add">
          {everyone.data?.members
            .filter((member) => !inChannel.has(member.userId))
            .map((member) => (
              <li key={member.userId}>
                <button
                  type="button"
                  aria-label={`Add ${member.name}`}
                  onClick={() => add.mutate(member.userId)}
                >
                  + {member.name}
                </button>
              </li>
            ))}
        </ul>
      )}
      {(add.error || everyone.error) && (
        <p role="alert">
          {add.error instanceof ApiError ? add.error.message : 'You cannot add people here.'}
        </p>
      )}
    </aside>
  );
}
