import { useEffect, useState } from 'react';

export interface Emoji {
  emoji: string;
  names: string[];
  tags: string[];
}

export interface EmojiTable {
  /** `smile` -> 😄, for every shortcode GitHub and Slack users know (gemoji's names). */
  byName: ReadonlyMap<string, string>;
  /** Emoji whose shortcode starts with (then contains) the query, or whose tags match. */
  search(query: string, limit?: number): Emoji[];
}

let table: Promise<EmojiTable> | null = null;

/**
 * The shortcode table (about 60 KB gzipped) loads on demand, never with the first screen: the
 * app starts without it and messages re-render with emoji once it is here. The service worker
 * keeps the chunk once fetched, so shortcodes work offline after the first online start.
 */
export function loadEmoji(): Promise<EmojiTable> {
  table ??= import('gemoji').then(({ gemoji }) => {
    const byName = new Map<string, string>();
    for (const entry of gemoji) for (const name of entry.names) byName.set(name, entry.emoji);
    return {
      byName,
      search(query, limit = 8) {
        const wanted = query.toLowerCase();
        const rank = (entry: Emoji) =>
          entry.names.some((name) => name.startsWith(wanted))
            ? 0
            : entry.names.some((name) => name.includes(wanted))
              ? 1
              : entry.tags.some((tag) => tag.startsWith(wanted))
                ? 2
                : 3;
        return gemoji
          .map((entry) => ({ entry, rank: rank(entry) }))
          .filter(({ rank }) => rank < 3)
          .sort((a, b) => a.rank - b.rank)
          .slice(0, limit)
          .map(({ entry }) => entry);
      },
    };
  });
  return table;
}

/** The table once loaded (null before), re-rendering the caller when it arrives. */
export function useEmoji(): EmojiTable | null {
  const [loaded, setLoaded] = useState<EmojiTable | null>(null);
  useEffect(() => {
    let live = true;
    void loadEmoji().then((value) => live && setLoaded(value));
    return () => {
      live = false;
    };
  }, []);
  return loaded;
}
