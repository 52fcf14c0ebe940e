import type * as Y from 'yjs';
import { type DocChanges, emptyChanges } from '../engine/changes';
import type { AppliedMeta, ClientIdOwner } from '../engine/ports';
import type { TextVersion } from './doc-rows';
import type { Quarantine } from './quarantine';

/** The room as the projector sees it: its doc and who owns its client ids. */
export interface ProjectedDoc {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly owners: Map<number, ClientIdOwner>;
}

/** One doc's changes waiting for the next drain, coalesced over the window. */
export interface ProjectionEntry {
  room: ProjectedDoc;
  changes: DocChanges;
  versions: TextVersion[];
  seq: number;
  receivedAt: Date;
  /** Projected again because the doc has quarantined changes: clear those that now succeed. */
  repair?: boolean;
}

/** How long a drain waits for more changes before writing them together. */
const PROJECTION_WINDOW_MS = 50;

/**
 * The projector's queue: what the room hook reports, coalesced per doc, drained after a 50 ms
 * window, one drain at a time per process. A drain hands every doc's entry to `project`
 * together; when that fails, each entry is tried alone and a failing one's changes in halves,
 * down to one message (or read marker), so every good change gets its rows whatever another
 * holds. A change that fails on its own is quarantined.
 */
export class ProjectionQueue {
  private readonly pending = new Map<string, ProjectionEntry>();
  private draining: Promise<void> | null = null;

  constructor(
    private readonly project: (entries: ProjectionEntry[]) => Promise<void>,
    private readonly quarantine: Quarantine,
  ) {}

  record(room: ProjectedDoc, changes: DocChanges, meta: AppliedMeta, repair = false): void {
    const entry = this.pending.get(room.name) ?? {
      room,
      changes: emptyChanges(),
      versions: [],
      seq: 0,
      receivedAt: meta.receivedAt,
    };
    for (const id of changes.messageIds) entry.changes.messageIds.add(id);
    for (const key of changes.markerKeys) entry.changes.markerKeys.add(key);
    // Versions are written by the node that committed the update, so each exists once.
    if (meta.local && meta.seq !== null) {
      for (const text of changes.texts)
        entry.versions.push({ ...text, seq: meta.seq, receivedAt: meta.receivedAt });
    }
    entry.seq = Math.max(entry.seq, meta.seq ?? 0);
    entry.receivedAt = meta.receivedAt;
    if (repair) entry.repair = true;
    this.pending.set(room.name, entry);
    this.draining ??= this.drain();
  }

  /** Waits until everything recorded so far is projected. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // A short window lets a burst of updates share one transaction of a few statements.
    await new Promise((resolve) => setTimeout(resolve, PROJECTION_WINDOW_MS));
    while (this.pending.size) {
      const batch = [...this.pending.values()];
      this.pending.clear();
      await this.projectIsolated(batch);
    }
    this.draining = null;
  }

  private async projectIsolated(entries: ProjectionEntry[]): Promise<void> {
    try {
      await this.project(entries);
    } catch (error) {
      if (entries.length > 1) {
        for (const entry of entries) await this.projectIsolated([entry]);
        return;
      }
      const [entry] = entries;
      if (!entry) return;
      const halves = splitChanges(entry);
      if (!halves) return this.quarantine.record(quarantinedChange(entry), error);
      for (const half of halves) await this.projectIsolated([half]);
      return;
    }
    // A repair's rows were written: its doc's quarantined items are projected now.
    for (const entry of entries)
      if (entry.repair) await this.quarantine.clear(quarantinedChange(entry));
  }
}

const quarantinedChange = ({ room, changes, seq }: ProjectionEntry) => ({
  docName: room.name,
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
