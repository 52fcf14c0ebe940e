import type { MessageView } from '@confab/db/model';
import { describe, expect, it } from 'vitest';
import { dayLabel, toRows } from './grouping';

const at = (iso: string) => new Date(iso).getTime();
const message = (id: string, author: string, createdAt: number): MessageView => ({
  id,
  author,
  text: id,
  createdAt,
  editedAt: null,
  deleted: false,
  parentId: null,
  files: [],
  reactions: new Map(),
});

describe('message rows', () => {
  it('puts a divider before each day and groups one author’s messages within five minutes', () => {
    const now = at('2026-11-26T15:00:00');
    const rows = toRows(
      [
        message('a', 'ada', at('2026-11-25T09:00:00')),
        message('b', 'ada', at('2026-11-26T09:00:00')),
        message('c', 'ada', at('2026-11-26T09:04:00')),
        message('d', 'bob', at('2026-11-26T09:05:00')),
        message('e', 'ada', at('2026-11-26T09:06:00')),
        message('f', 'ada', at('2026-11-26T09:20:00')),
      ],
      now,
    );
    expect(
      rows.map((row) =>
        row.kind === 'day' ? row.label : `${row.message.id}${row.continued ? '+' : ''}`,
      ),
    ).toEqual(['Yesterday', 'a', 'Today', 'b', 'c+', 'd', 'e', 'f']);
  });

  it('names older days by date', () => {
    expect(dayLabel(at('2026-03-02T10:00:00'), at('2026-11-26T10:00:00'))).toMatch(/March|3/);
  });
});
