import type { MessageView } from '@confab/db/model';

/** Consecutive messages of one author within this time show under one name, as in Slack. */
const GROUP_WINDOW_MS = 5 * 60_000;

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: MessageView; continued: boolean };

const dayOf = (time: number) => {
  const date = new Date(time);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
};

/** "Today", "Yesterday", or the date in the reader's locale. */
export function dayLabel(time: number, now = Date.now()): string {
  const day = dayOf(time);
  if (day === dayOf(now)) return 'Today';
  if (day === dayOf(now - 86_400_000)) return 'Yesterday';
  return new Date(time).toLocaleDateString(undefined, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: new Date(time).getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric',
  });
}

/** The list's rows: a divider before each new day, and whether a message continues a group. */
export function toRows(messages: readonly MessageView[], now = Date.now()): Row[] {
  const rows: Row[] = [];
  let previous: MessageView | null = null;
  for (const message of messages) {
    const newDay = !previous || dayOf(previous.createdAt) !== dayOf(message.createdAt);
    if (newDay)
      rows.push({
        kind: 'day',
        key: `day-${dayOf(message.createdAt)}`,
        label: dayLabel(message.createdAt, now),
      });
    const continued =
      !newDay &&
      previous !== null &&
      previous.author === message.author &&
      !previous.deleted &&
      message.createdAt - previous.createdAt < GROUP_WINDOW_MS;
    rows.push({ kind: 'message', key: message.id, message, continued });
    previous = message;
  }
  return rows;
}
