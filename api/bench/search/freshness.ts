import type { Db } from '@confab/db';
import { seededRandom } from '@confab/db/testing';
import type { SearchEngine, Searcher } from '../../src/search/engine';
import { parseQuery } from '../../src/search/parse-query';
import { type Stats, stats } from './cases';
import { ulidAt } from './generate';
import { execute } from './sql';
import type { Vocabulary } from './vocabulary';

export interface FreshnessResult extends Stats {
  /** Messages the writer committed per second while the markers were searched. */
  writesPerSecond: number;
  /** Markers not found within the give-up time (counted in the figures at that time). */
  missed: number;
}

const GIVE_UP_MS = 5_000;
const INSERT_MESSAGE = `INSERT INTO messages
  (id, channel_id, doc_name, author_id, text, created_at, received_at, doc_seq)
  VALUES ($1, $2, $3, $4, $5, now(), now(), $6)`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `n` as lower-case letters, so a marker is one plain word to every tokenizer. */
function letters(n: number): string {
  let text = '';
  let rest = n;
  do {
    text = String.fromCharCode(97 + (rest % 26)) + text;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return text;
}

/**
 * Time from a message's insert commit to the engine finding it, while a writer inserts messages
 * at `writesPerSecond` as the projection does (one INSERT per message, on its own connections).
 * Each marker is a new word, searched back to back from the moment its insert committed.
 */
export async function measureFreshness(options: {
  writer: Db;
  engine: SearchEngine;
  searcher: Searcher;
  channelId: string;
  vocabulary: Vocabulary;
  markers: number;
  writesPerSecond: number;
}): Promise<FreshnessResult> {
  const { writer, engine, searcher, channelId, vocabulary } = options;
  const random = seededRandom(7);
  let written = 0;
  let stopped = false;
  let marker: { word: string; committed: (id: string, at: number) => void } | null = null;
  const filler = () =>
    Array.from({ length: 12 }, () => vocabulary.words[vocabulary.sample(random)]).join(' ');
  const writeLoop = async () => {
    const started = performance.now();
    while (!stopped) {
      const wait = started + (written * 1000) / options.writesPerSecond - performance.now();
      if (wait > 0) await sleep(wait);
      const current = marker;
      marker = null;
      const id = ulidAt(Date.now(), random);
      await execute(writer, INSERT_MESSAGE, [
        id,
        channelId,
        `channel:${channelId}:segment:999`,
        searcher.userId,
        current ? `${filler()} ${current.word}` : filler(),
        written,
      ]);
      current?.committed(id, performance.now());
      written++;
    }
    return performance.now() - started;
  };
  const writing = writeLoop();
  const samples: number[] = [];
  let missed = 0;
  const measuredFrom = { written: 0, at: 0 };
  try {
    // Let the writer reach its pace before the first marker.
    await sleep(500);
    measuredFrom.written = written;
    measuredFrom.at = performance.now();
    for (let index = 0; index < options.markers; index++) {
      const word = `freshmark${letters(index)}`;
      const { id, at } = await new Promise<{ id: string; at: number }>((resolve) => {
        marker = {
          word,
          committed: (committedId, committedAt) => resolve({ id: committedId, at: committedAt }),
        };
      });
      const query = parseQuery(word, { timeZone: 'UTC', sort: 'date' });
      for (;;) {
        const answer = await engine.messages(searcher, query, { limit: 20 });
        const elapsed = performance.now() - at;
        if (answer.hits.some((hit) => hit.id === id)) {
          samples.push(elapsed);
          break;
        }
        if (elapsed > GIVE_UP_MS) {
          samples.push(elapsed);
          missed++;
          break;
        }
      }
      await sleep(50 + random() * 100);
    }
  } finally {
    stopped = true;
    await writing;
  }
  const seconds = (performance.now() - measuredFrom.at) / 1000;
  return {
    ...stats(samples),
    writesPerSecond: (written - measuredFrom.written) / seconds,
    missed,
  };
}
