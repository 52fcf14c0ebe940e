import { type Db, type Logger, schema } from '@confab/db';
import { and, eq, inArray, sql } from 'drizzle-orm';

/**
 * `projection_quarantine`: changes whose rows could not be written even alone. Counted, logged
 * at error level and recorded, so the next load of the doc (on any node) projects it whole
 * again and clears what then succeeds.
 */
export class Quarantine {
  private count = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /** Changes this process quarantined since it started (`projection quarantined` log lines). */
  get quarantined(): number {
    return this.count;
  }

  async holdsAny(docName: string): Promise<boolean> {
    const { projectionQuarantine: q } = schema;
    const rows = await this.db
      .select({ itemKey: q.itemKey })
      .from(q)
      .where(eq(q.docName, docName))
      .limit(1);
    return rows.length > 0;
  }

  /** Records a change whose rows cannot be written, with a count and an error-level log line. */
  async record(change: QuarantinedChange, error: unknown): Promise<void> {
    const { docName, seq } = change;
    const itemKey = change.itemKeys[0] ?? '';
    this.count++;
    this.logger.error(
      { err: error, docName, seq, itemKey, quarantined: this.count },
      'projection quarantined',
    );
    const { projectionQuarantine: q } = schema;
    const failure = { seq, error: describeFailure(error) };
    await this.db
      .insert(q)
      .values({ docName, itemKey, ...failure })
      .onConflictDoUpdate({
        target: [q.docName, q.itemKey],
        set: { ...failure, attempts: sql`${q.attempts} + 1`, quarantinedAt: sql`now()` },
      })
      .catch((failed: unknown) =>
        this.logger.error({ err: failed, docName, itemKey }, 'quarantine not recorded'),
      );
  }

  /** After a repair's rows were written: these items of the doc are projected now. */
  async clear({ docName, itemKeys }: Omit<QuarantinedChange, 'seq'>): Promise<void> {
    const { projectionQuarantine: q } = schema;
    await this.db
      .delete(q)
      .where(and(eq(q.docName, docName), inArray(q.itemKey, itemKeys)))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, docName }, 'quarantine not cleared'),
      );
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
