import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { type Api, ApiError, type User } from '../api/api';
import { Attachments } from '../files/Attachments';
import { formatBytes } from '../files/format';
import { type Channel, channelTitle } from '../workspaces/channels';
import { reasonText, totalText, unresolvedText } from './describe';
import { HighlightedText } from './highlight';
import { fileFocusOf, focusOf, type MessageFocus } from './jump';
import { rememberSearch } from './recent';
import {
  type ChannelHit,
  type FileHit,
  type MessageHit,
  type PersonHit,
  type SearchAnswer,
  type SearchSort,
  type SearchTab,
  useOnline,
  useSearch,
} from './search-api';

const TABS: ReadonlyArray<{ tab: SearchTab; label: string }> = [
  { tab: 'messages', label: 'Messages' },
  { tab: 'files', label: 'Files' },
  { tab: 'channels', label: 'Channels' },
  { tab: 'people', label: 'People' },
];

/**
 * Names of the workspace's people for mentions, when the user may list them (hits carry their
 * author's and uploader's names themselves, for guests too).
 */
function useWorkspaceNames(api: Api, workspaceId: string, guest: boolean) {
  const members = useQuery({
    queryKey: ['workspace-members', workspaceId],
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/members', { params: { workspaceId } }),
    // Guests may not list the workspace's members: mentions in their results say "Someone".
    enabled: !guest,
    staleTime: 60_000,
  });
  return new Map(members.data?.members.map((member) => [member.userId, member.name]) ?? []);
}

/**
 * What each hit's channel is called: mine from the sidebar's list, public ones I am not in from
 * the channel directory (asked only when a hit is in one of those).
 */
function useChannelTitles(
  api: Api,
  user: User,
  workspaceId: string,
  mine: readonly Channel[],
  hitChannels: readonly string[],
) {
  const titles = new Map(mine.map((channel) => [channel.id, channelTitle(channel, user)]));
  const missing = hitChannels.some((id) => !titles.has(id));
  const directory = useQuery({
    queryKey: ['browse', workspaceId, ''],
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/channels/browse', {
        params: { workspaceId },
        query: { q: '' },
      }),
    enabled: missing,
  });
  for (const channel of directory.data?.channels ?? [])
    if (!titles.has(channel.id)) titles.set(channel.id, `# ${channel.name}`);
  return titles;
}

/** Hits in lists per channel, channels in the order their first hit came. */
function byChannel<Hit extends { channelId: string }>(hits: readonly Hit[]) {
  const groups = new Map<string, Hit[]>();
  for (const hit of hits) {
    const group = groups.get(hit.channelId);
    if (group) group.push(hit);
    else groups.set(hit.channelId, [hit]);
  }
  return [...groups];
}

const when = (iso: string) => {
  const time = new Date(iso);
  return (
    <time className="hit-time" dateTime={time.toISOString()} title={time.toLocaleString()}>
      {time.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
};

function errorText(error: unknown): string {
  if (error instanceof ApiError && error.code === 'offline')
    return 'Search needs a connection. Try again once you are back online.';
  if (error instanceof ApiError && error.code === 'invalid_cursor')
    return 'These results are out of date; search again.';
  if (error instanceof ApiError && error.code === 'rate_limited')
    return 'Too many searches in a short time. Wait a minute, then search again.';
  return error instanceof ApiError ? `Search failed: ${error.message}` : 'Search failed.';
}

/** What the server said about the query: ignored parts, names matching nothing, fuzzy matches. */
function QueryNotes({ answer }: { answer: SearchAnswer }) {
  const notes: ReactNode[] = [];
  for (const ignored of answer.query.ignored)
    notes.push(
      <>
        Ignored “{ignored.text}”: {reasonText(ignored.reason)}.
      </>,
    );
  for (const unused of answer.unused)
    notes.push(
      <>
        “{unused.text}” {reasonText(unused.reason)}.
      </>,
    );
  for (const resolution of answer.resolutions) {
    if (resolution.matches.length === 0) notes.push(<>{unresolvedText(resolution.text)}.</>);
    else if (resolution.matches.length > 1)
      notes.push(
        <>
          {resolution.text} means any of {resolution.matches.map((match) => match.label).join(', ')}
          .
        </>,
      );
  }
  if (answer.fuzzy) notes.push(<>No exact matches: showing similar words.</>);
  if (!notes.length) return null;
  return (
    <ul className="search-notes" aria-label="About this search">
      {notes.map((note, index) => (
        // The notes are rebuilt together from one answer: their order is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <li key={index}>{note}</li>
      ))}
    </ul>
  );
}

/**
 * The results of one search in the workspace: tabs (messages, files, channels, people), a sort
 * toggle, the total, what the server ignored or could not resolve, hits grouped by channel with
 * their matches marked, and "Load more". Opening a message hit jumps to it in its channel.
 */
export function SearchResults({
  api,
  user,
  workspaceId,
  guest,
  q,
  channels,
  onOpenMessage,
  onOpenChannel,
  onSearch,
  onRemembered,
  onClose,
}: {
  api: Api;
  user: User;
  workspaceId: string;
  guest: boolean;
  q: string;
  channels: readonly Channel[];
  onOpenMessage: (focus: MessageFocus, title: string) => void;
  onOpenChannel: (channelId: string, title: string) => void;
  onSearch: (q: string) => void;
  onRemembered: () => void;
  onClose: () => void;
}) {
  const [tab, setTab] = useState<SearchTab>('messages');
  const [sort, setSort] = useState<SearchSort>('relevance');
  const online = useOnline();
  const search = useSearch(api, { workspaceId, q, tab, sort }, online);
  const pages = search.data?.pages ?? [];
  const first = pages[0];
  const canonical = first?.query.canonical;
  useEffect(() => {
    if (canonical === undefined) return;
    rememberSearch(user.id, canonical);
    onRemembered();
  }, [canonical, user.id, onRemembered]);
  useEffect(() => {
    // Esc closes the search wherever the focus is (the box handles its own Esc first).
    const closeOnEscape = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) onClose();
    };
    document.addEventListener('keydown', closeOnEscape);
    return () => document.removeEventListener('keydown', closeOnEscape);
  }, [onClose]);
  const names = useWorkspaceNames(api, workspaceId, guest);
  const hitChannels = pages.flatMap((page) =>
    page.tab === 'messages' || page.tab === 'files' ? page.hits.map((hit) => hit.channelId) : [],
  );
  const titles = useChannelTitles(api, user, workspaceId, channels, hitChannels);
  const titleOf = (channelId: string) => titles.get(channelId) ?? 'A channel';
  const nameOf = (name: string | null, id: string | null) =>
    name ?? ((id && names.get(id)) || 'Someone');

  let body: ReactNode;
  if (!online && !first) body = <p className="search-status">Search needs a connection.</p>;
  else if (search.isError && !first)
    body = (
      <p className="search-status" role="alert">
        {errorText(search.error)}
      </p>
    );
  else if (!first) body = <p className="search-status">Searching…</p>;
  else {
    const messageHits = pages.flatMap((page) => (page.tab === 'messages' ? page.hits : []));
    const fileHits = pages.flatMap((page) => (page.tab === 'files' ? page.hits : []));
    const channelHits = pages.flatMap((page) => (page.tab === 'channels' ? page.hits : []));
    const personHits = pages.flatMap((page) => (page.tab === 'people' ? page.hits : []));
    body = (
      <>
        <QueryNotes answer={first} />
        <p className="search-total" aria-live="polite">
          {totalText(first.total, first.totalCapped)}
        </p>
        {first.tab === 'messages' &&
          byChannel(messageHits).map(([channelId, hits]) => (
            <HitGroup key={channelId} title={titleOf(channelId)}>
              {hits.map((hit) => (
                <MessageResult
                  key={hit.id}
                  hit={hit}
                  author={nameOf(hit.authorName, hit.authorId)}
                  names={names}
                  onOpen={() => onOpenMessage(focusOf(hit, Date.now()), titleOf(hit.channelId))}
                />
              ))}
            </HitGroup>
          ))}
        {first.tab === 'files' &&
          byChannel(fileHits).map(([channelId, hits]) => (
            <HitGroup key={channelId} title={titleOf(channelId)}>
              {hits.map((hit) => (
                <FileResult
                  key={hit.id}
                  api={api}
                  hit={hit}
                  uploader={nameOf(hit.uploaderName, hit.uploaderId)}
                  names={names}
                  onOpen={
                    hit.messageId === null || hit.messageDocName === null
                      ? undefined
                      : () => {
                          const focus = fileFocusOf(hit, Date.now());
                          if (focus) onOpenMessage(focus, titleOf(hit.channelId));
                        }
                  }
                />
              ))}
            </HitGroup>
          ))}
        {first.tab === 'channels' && (
          <ul className="search-hits">
            {channelHits.map((hit) => (
              <ChannelResult
                key={hit.id}
                hit={hit}
                names={names}
                onOpen={() => onOpenChannel(hit.id, `# ${hit.name.text}`)}
              />
            ))}
          </ul>
        )}
        {first.tab === 'people' && (
          <ul className="search-hits">
            {personHits.map((hit) => (
              <PersonResult
                key={hit.id}
                hit={hit}
                names={names}
                onSearch={() => onSearch(`from:@${hit.handle}`)}
              />
            ))}
          </ul>
        )}
        {search.isError && (
          <p className="search-status" role="alert">
            {errorText(search.error)}
          </p>
        )}
        {search.hasNextPage && (
          <button
            type="button"
            className="load-more"
            disabled={search.isFetchingNextPage || !online}
            onClick={() => void search.fetchNextPage()}
          >
            {search.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}
      </>
    );
  }

  return (
    <main className="search-results" aria-label="Search results">
      <header>
        <h1>
          Results for <q>{canonical ?? q}</q>
        </h1>
        <button
          type="button"
          className="search-close"
          onClick={onClose}
          aria-label="Close the search"
        >
          ×
        </button>
      </header>
      <div className="search-controls">
        <div role="tablist" aria-label="What to search">
          {TABS.map((entry) => (
            <button
              key={entry.tab}
              type="button"
              role="tab"
              id={`search-tab-${entry.tab}`}
              aria-selected={tab === entry.tab}
              aria-controls="search-panel"
              onClick={() => setTab(entry.tab)}
            >
              {entry.label}
            </button>
          ))}
        </div>
        <fieldset className="search-sort">
          <legend>Sort by</legend>
          {(['relevance', 'date'] as const).map((order) => (
            <button
              key={order}
              type="button"
              className="sort-option"
              aria-pressed={sort === order}
              onClick={() => setSort(order)}
            >
              {order === 'relevance' ? 'Relevance' : 'Newest'}
            </button>
          ))}
        </fieldset>
      </div>
      <div id="search-panel" role="tabpanel" aria-labelledby={`search-tab-${tab}`}>
        {body}
      </div>
    </main>
  );
}

function HitGroup({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="search-group" aria-label={title}>
      <h3>{title}</h3>
      <ul className="search-hits">{children}</ul>
    </section>
  );
}

function MessageResult({
  hit,
  author,
  names,
  onOpen,
}: {
  hit: MessageHit;
  author: string;
  names: ReadonlyMap<string, string>;
  onOpen: () => void;
}) {
  const files = hit.fileIds.length;
  return (
    <li className="search-item">
      <button type="button" className="search-hit" onClick={onOpen}>
        <span className="hit-meta">
          <strong>{author}</strong> {when(hit.createdAt)}
          {hit.editedAt && <span className="muted"> (edited)</span>}
          {hit.parentId && <span className="muted"> · reply in a thread</span>}
          {hit.replyCount > 0 && (
            <span className="muted">
              {' '}
              · {hit.replyCount} {hit.replyCount === 1 ? 'reply' : 'replies'}
            </span>
          )}
          {files > 0 && (
            <span className="muted">
              {' '}
              · {files} {files === 1 ? 'file' : 'files'}
            </span>
          )}
        </span>
        <span className="snippet">
          <HighlightedText value={hit.snippet} names={names} />
        </span>
      </button>
    </li>
  );
}

function FileResult({
  api,
  hit,
  uploader,
  names,
  onOpen,
}: {
  api: Api;
  hit: FileHit;
  uploader: string;
  names: ReadonlyMap<string, string>;
  /** Opens the message it is attached to. */
  onOpen: (() => void) | undefined;
}) {
  return (
    <li className="search-item search-file">
      <span className="hit-meta">
        <strong>
          <HighlightedText value={hit.name} names={names} />
        </strong>{' '}
        <span className="muted">
          {formatBytes(hit.byteSize)} · {uploader} · {when(hit.createdAt)}
        </span>
      </span>
      {hit.snippet && (
        <span className="snippet">
          <HighlightedText value={hit.snippet} names={names} />
        </span>
      )}
      <Attachments api={api} fileIds={[hit.id]} />
      {onOpen && (
        <button type="button" className="link open-message" onClick={onOpen}>
          {hit.messageParentId ? 'Open its message in the thread' : 'Open its message'}
        </button>
      )}
    </li>
  );
}

function ChannelResult({
  hit,
  names,
  onOpen,
}: {
  hit: ChannelHit;
  names: ReadonlyMap<string, string>;
  onOpen: () => void;
}) {
  return (
    <li className="search-item">
      <button type="button" className="search-hit" onClick={onOpen}>
        <span className="hit-meta">
          <strong>
            {hit.kind === 'private' ? '🔒 ' : '# '}
            <HighlightedText value={hit.name} names={names} />
          </strong>{' '}
          <span className="muted">
            {hit.memberCount} {hit.memberCount === 1 ? 'member' : 'members'}
            {hit.isMember ? ' · joined' : ''}
            {hit.archived ? ' · archived' : ''}
          </span>
        </span>
        {hit.topic.text && (
          <span className="snippet">
            <HighlightedText value={hit.topic} names={names} />
          </span>
        )}
      </button>
    </li>
  );
}

function PersonResult({
  hit,
  names,
  onSearch,
}: {
  hit: PersonHit;
  names: ReadonlyMap<string, string>;
  onSearch: () => void;
}) {
  return (
    <li className="search-item">
      <button type="button" className="search-hit" onClick={onSearch}>
        <span className="hit-meta">
          <strong>
            <HighlightedText value={hit.name} names={names} />
          </strong>{' '}
          <span className="muted">
            @{hit.handle} · {hit.role}
            {hit.email ? ` · ${hit.email}` : ''}
          </span>
        </span>
        <span className="snippet muted">Search their messages</span>
      </button>
    </li>
  );
}
