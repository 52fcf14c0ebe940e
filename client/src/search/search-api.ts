import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Api, ApiResponse } from '../api/api';

export type SearchAnswer = ApiResponse<'GET /api/workspaces/{workspaceId}/search'>;
export type SearchTab = SearchAnswer['tab'];
export type SearchSort = 'relevance' | 'date';
export type MessageHit = Extract<SearchAnswer, { tab: 'messages' }>['hits'][number];
export type FileHit = Extract<SearchAnswer, { tab: 'files' }>['hits'][number];
export type ChannelHit = Extract<SearchAnswer, { tab: 'channels' }>['hits'][number];
export type PersonHit = Extract<SearchAnswer, { tab: 'people' }>['hits'][number];
export type Suggestion =
  ApiResponse<'GET /api/workspaces/{workspaceId}/search/suggest'>['suggestions'][number];

/** Hits per page: "Load more" asks for the next one with the answer's cursor. */
export const PAGE_SIZE = 20;
/** Typing pauses this long before the suggest route is asked. */
export const SUGGEST_DELAY_MS = 150;

/** The user's IANA time zone, for `on:`, `during:` and friends ("UTC" when the browser has none). */
export function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether the browser says it is online (re-renders when that changes). */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

/**
 * One search, a page at a time. Never run offline: the API client would answer a GET from its
 * last saved answer, and a search must say it needs the network instead.
 */
export function useSearch(
  api: Api,
  request: { workspaceId: string; q: string; tab: SearchTab; sort: SearchSort },
  online: boolean,
) {
  const { workspaceId, q, tab, sort } = request;
  const tz = timeZone();
  return useInfiniteQuery({
    queryKey: ['search', workspaceId, tab, sort, tz, q],
    queryFn: ({ pageParam }) =>
      api.request('GET /api/workspaces/{workspaceId}/search', {
        params: { workspaceId },
        query: { q, tab, sort, tz, limit: PAGE_SIZE, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: online,
    // Never fresh: the same search run again (or its tab shown again) asks the server again,
    // showing the last answer meanwhile.
    staleTime: 0,
    retry: false,
  });
}

/** `value` once it has stopped changing for `delayMs`. */
function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/**
 * Channels or people for `in:#…` / `from:@…`, asked once typing pauses. Only the answer for what
 * is typed now is shown: an earlier, slower answer belongs to another key and is dropped.
 */
export function useSuggestions(
  api: Api,
  workspaceId: string,
  wanted: { kind: 'channel' | 'person'; prefix: string } | null,
  online: boolean,
): Suggestion[] {
  const settled = useDebounced(wanted, SUGGEST_DELAY_MS);
  const current =
    settled !== null &&
    wanted !== null &&
    settled.kind === wanted.kind &&
    settled.prefix === wanted.prefix;
  const answer = useQuery({
    queryKey: ['search-suggest', workspaceId, settled?.kind, settled?.prefix],
    queryFn: () =>
      api.request('GET /api/workspaces/{workspaceId}/search/suggest', {
        params: { workspaceId },
        query: { kind: settled?.kind ?? 'channel', prefix: settled?.prefix ?? '', limit: 8 },
      }),
    enabled: online && settled !== null,
    staleTime: 30_000,
    retry: false,
  });
  return current ? (answer.data?.suggestions ?? []) : [];
}
