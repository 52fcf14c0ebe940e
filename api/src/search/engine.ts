/**
 * The one search interface. An engine answers a parsed query (query.ts) for one user in one
 * workspace, applying that user's read permissions inside its own query: it never returns a hit,
 * a count or a name resolution the user may not read (counts and pages would leak otherwise).
 * The Postgres engine (postgres/) is the default; which engine runs is configuration.
 */
import type { IgnoredReason, SearchQuery } from './query';

/** Who searches, where. The engine looks up their role and memberships itself, at query time. */
export interface Searcher {
  userId: string;
  workspaceId: string;
}

export type SearchTab = 'messages' | 'files' | 'channels' | 'people';

/**
 * Text with the matched parts marked by UTF-16 offsets `[start, end)`, sorted and not
 * overlapping. Never markup: the client renders the marks, so a message cannot inject any.
 */
export interface Highlighted {
  text: string;
  ranges: Array<[number, number]>;
}

/**
 * How one `in:` or `from:` name was understood. A name the user may not see resolves exactly like
 * one that does not exist (no matches), and a filter that matches nothing makes the search match
 * nothing: it is never dropped, which would widen the search.
 */
export interface Resolution {
  /** As written in the canonical form: `in:#general`, `in:@ada`, `from:@ada`. */
  text: string;
  matches: Array<{ kind: 'channel' | 'dm' | 'person'; id: string; label: string }>;
}

/** A filter the chosen tab does not use (`has:link` on files), reported like a parse problem. */
export interface UnusedFilter {
  text: string;
  reason: IgnoredReason | 'not_for_this_tab';
}

export interface PageRequest {
  /** 1..50. */
  limit: number;
  /** From a previous answer's `nextCursor`; opaque to callers. */
  cursor?: string;
}

export interface SearchAnswer<Hit> {
  hits: Hit[];
  /**
   * Matches the user may read, counted up to `TOTAL_CAP` (an engine may stop lower for a very
   * common query: the Postgres engine at 100); `totalCapped` when there are more.
   */
  total: number;
  totalCapped: boolean;
  nextCursor: string | null;
  resolutions: Resolution[];
  unused: UnusedFilter[];
  /** No exact match: these hits are similar words (trigram similarity). */
  fuzzy: boolean;
}

export const TOTAL_CAP = 1000;

export interface MessageHit {
  id: string;
  channelId: string;
  /** The segment doc holding it, so a client can open the right part of a long channel. */
  docName: string;
  parentId: string | null;
  authorId: string | null;
  /** The author's display name, so that a guest (who cannot list the members) sees who wrote it. */
  authorName: string | null;
  createdAt: string;
  editedAt: string | null;
  /** The text, or a window of it around the first match, with the matches marked. */
  snippet: Highlighted;
  fileIds: string[];
  replyCount: number;
}

export interface FileHit {
  id: string;
  channelId: string;
  messageId: string | null;
  /** The segment doc and thread parent of the message it is attached to: where to jump. */
  messageDocName: string | null;
  messageParentId: string | null;
  uploaderId: string | null;
  uploaderName: string | null;
  name: Highlighted;
  kind: string;
  contentType: string;
  byteSize: number;
  createdAt: string;
  /** A window of the extracted text around the first match, when the match is there. */
  snippet: Highlighted | null;
}

export interface ChannelHit {
  id: string;
  kind: 'public' | 'private';
  name: Highlighted;
  topic: Highlighted;
  purpose: string;
  memberCount: number;
  isMember: boolean;
  archived: boolean;
}

export interface PersonHit {
  id: string;
  name: Highlighted;
  /** What `from:@…` and `in:@…` take for this person (see person-handle.ts). */
  handle: string;
  role: 'owner' | 'admin' | 'member' | 'guest';
  /** Only when the searcher is a workspace owner or admin. */
  email?: string;
}

/** Operator completion as one types `in:#ge`, `from:@a`. */
export interface Suggestion {
  kind: 'channel' | 'person';
  id: string;
  /** The operator value to insert: `#general`, `@ada.lovelace`. */
  value: string;
  label: string;
}

export interface SearchEngine {
  readonly name: string;
  messages(
    searcher: Searcher,
    query: SearchQuery,
    page: PageRequest,
  ): Promise<SearchAnswer<MessageHit>>;
  files(searcher: Searcher, query: SearchQuery, page: PageRequest): Promise<SearchAnswer<FileHit>>;
  channels(
    searcher: Searcher,
    query: SearchQuery,
    page: PageRequest,
  ): Promise<SearchAnswer<ChannelHit>>;
  people(
    searcher: Searcher,
    query: SearchQuery,
    page: PageRequest,
  ): Promise<SearchAnswer<PersonHit>>;
  suggest(
    searcher: Searcher,
    request: { kind: 'channel' | 'person'; prefix: string; limit: number },
  ): Promise<Suggestion[]>;
}

/** A cursor that this engine did not make, or made for another query: the route answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor does not belong to this search; start again without it.');
    this.name = 'InvalidCursorError';
  }
}

/**
 * A search statement ran past the engine's statement timeout and was cancelled (a pathological
 * query, or an overloaded database): the search has no answer, rather than a partial one.
 */
export class SearchTimeoutError extends Error {
  constructor() {
    super('The search took too long; try more specific words or filters.');
    this.name = 'SearchTimeoutError';
  }
}
