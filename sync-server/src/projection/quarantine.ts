import { type Db, type Logger, schema } from '@confab/db';
import { and, eq, inArray, sql } from 'drizzle-orm';

type Executor = Pick<Db, 'insert' | 'delete' | 'select'>;

/**
 * `projection_quarantine`: changes whose rows could not be written even alone. Recorded in the
 * transaction that moves the tail past them (so each is recorded once), then counted and logged
 * at error level once that committed; the next load of the doc (on any node) projects it whole
 * again and clears what then succeeds, in that projection's transaction.
 */
export class Quarantine {
  private count = 0;

  constructor(private readonly logger: Logger) {}

  /** Changes this tailer quarantined since it started (`projection quarantined` log lines). */
  get quarantined(): number {
    return this.count;
  }

  async holdsAny(db: Executor, docName: string): Promise<boolean> {
    const { projectionQuarantine: q } = schema;
    const rows = await db
      .select({ itemKey: q.itemKey })
      .from(q)
      .where(eq(q.docName, docName))
      .limit(1);
    return rows.length > 0;
  }

  /** Records a change whose rows cannot be written, in the batch's transaction. */
  async record(tx: Executor, change: QuarantinedChange, error: unknown): Promise<void> {
    const { docName, seq } = change;
    const itemKey = change.itemKeys[0] ?? '';
    const { projectionQuarantine: q } = schema;
    const failure = describeFailure(error);
    // Failing again (a repair, or a later row) keeps the seq of the row it first failed at.
    await tx
      .insert(q)
      .values({ docName, itemKey, seq, error: failure })
      .onConflictDoUpdate({
        target: [q.docName, q.itemKey],
        set: { error: failure, attempts: sql`${q.attempts} + 1`, quarantinedAt: sql`now()` },
      });
  }

  /** After the batch that recorded it committed: counted, and logged at error level. */
  report(change: QuarantinedChange, error: unknown): void {
    this.count++;
    const { docName, seq } = change;
    this.logger.error(
      { err: error, docName, seq, itemKey: change.itemKeys[0] ?? '', quarantined: this.count },
      'projection quarantined',
    );
  }

  /** A repair's rows were written: these items of the doc are projected now. */
  async clear(tx: Executor, { docName, itemKeys }: Omit<QuarantinedChange, 'seq'>): Promise<void> {
    if (!itemKeys.length) return;
    const { projectionQuarantine: q } = schema;
    await tx.delete(q).where(and(eq(q.docName, docName), inArray(q.itemKey, [...itemKeys])));
  }
}

/**
 * A change as the quarantine records it: its doc, the items it projects (message ids or
 * read-marker keys; the first is the row's key) and the log sequence it came with.
 */
export interface QuarantinedChange {
  docName: string;
  itemKeys: readonly string[];
  seq: number;
}

/** Class and Postgres code of a failure (of its innermost cause): never the values involved. */
function describeFailure(error: unknown): string {
  let current = error;
  let code: unknown;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const own = (current as { code?: unknown }).code;
    if (typeof own === 'string') code = own;
    current = current.cause;
  }
  const type = error instanceof Error ? error.constructor.name : typeof error;
  return typeof code === 'string' ? `${type} ${code}` : type;
}
