import { type DocChanges, emptyChanges } from '../engine/changes';
import type { DocCopy } from './doc-copies';
import type { TextVersion } from './doc-rows';
import type { QuarantinedChange } from './quarantine';

/** One doc's changes over a batch of log rows, with the versions each row wrote. */
export interface ProjectionEntry {
  copy: DocCopy;
  changes: DocChanges;
  versions: TextVersion[];
  /** Log sequence and receive time of the newest row in the entry (0 and now for a repair). */
  seq: number;
  receivedAt: Date;
  /** Projected again because the doc has quarantined changes: clear those that now succeed. */
  repair?: boolean;
}

export const newEntry = (copy: DocCopy, receivedAt: Date): ProjectionEntry => ({
  copy,
  changes: emptyChanges(),
  versions: [],
  seq: 0,
  receivedAt,
});

/**
 * Adds what one log row changed: every text it wrote becomes a version with that row's sequence
 * and time, so each version row stems from exactly one log row.
 */
export function addRow(
  entry: ProjectionEntry,
  changes: DocChanges,
  row: { seq: number; receivedAt: Date },
): void {
  for (const id of changes.messageIds) entry.changes.messageIds.add(id);
  for (const id of changes.created) entry.changes.created.add(id);
  for (const key of changes.markerKeys) entry.changes.markerKeys.add(key);
  for (const text of changes.texts) {
    entry.changes.texts.push(text);
    entry.versions.push({ ...text, seq: row.seq, receivedAt: row.receivedAt });
  }
  entry.seq = Math.max(entry.seq, row.seq);
  entry.receivedAt = row.receivedAt;
}

export const quarantinedChange = ({ copy, changes, seq }: ProjectionEntry): QuarantinedChange => ({
  docName: copy.name,
  itemKeys: [...changes.messageIds, ...changes.markerKeys],
  seq,
});

/** An entry's changes in two halves, or null when it holds one item or none. */
export function splitChanges(entry: ProjectionEntry): [ProjectionEntry, ProjectionEntry] | null {
  const messageIds = [...entry.changes.messageIds];
  const markerKeys = [...entry.changes.markerKeys];
  const total = messageIds.length + markerKeys.length;
  if (total < 2) return null;
  const half = Math.ceil(total / 2);
  const firstIds = new Set(messageIds.slice(0, half));
  const part = (ids: Set<string>, markers: string[]): ProjectionEntry => ({
    ...entry,
    changes: {
      messageIds: ids,
      created: new Set([...entry.changes.created].filter((id) => ids.has(id))),
      texts: entry.changes.texts.filter((text) => ids.has(text.messageId)),
      markerKeys: new Set(markers),
    },
    versions: entry.versions.filter((version) => ids.has(version.messageId)),
  });
  const markerSplit = Math.max(0, half - messageIds.length);
  return [
    part(firstIds, markerKeys.slice(0, markerSplit)),
    part(new Set(messageIds.slice(half)), markerKeys.slice(markerSplit)),
  ];
}
