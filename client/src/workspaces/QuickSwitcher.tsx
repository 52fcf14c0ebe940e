import { useState } from 'react';
import type { User } from '../api/api';
import { type Channel, channelTitle } from './channels';

/** Ctrl/Cmd+K: type part of a channel's or person's name, Enter opens the first match, Esc closes. */
export function QuickSwitcher({
  user,
  channels,
  onChoose,
  onClose,
}: {
  user: User;
  channels: Channel[];
  onChoose: (id: string) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState('');
  const matches = channels.filter((channel) =>
    channelTitle(channel, user).toLowerCase().includes(query.trim().toLowerCase()),
  );
  return (
    <div className="switcher" role="dialog" aria-modal="true" aria-label="Jump to a channel">
      <input
        aria-label="Channel name"
        // biome-ignore lint/a11y/noAutofocus: the dialog exists to take this input
        autoFocus
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
          if (event.key === 'Enter' && matches[0]) onChoose(matches[0].id);
        }}
      />
      <ul>
        {matches.map((channel) => (
          <li key={channel.id}>
            <button type="button" onClick={() => onChoose(channel.id)}>
              {channelTitle(channel, user)}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
