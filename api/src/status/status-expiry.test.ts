import {
  activityUserTopic,
  createInProcessBus,
  createLogger,
  type Database,
  openPglite,
  openPostgres,
  schema,
} from '@confab/db';
import { useTestDatabase, waitFor } from '@confab/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobQueue, openJobQueue } from '../jobs/job-queue';
import { registerStatusJobs, scheduleStatusExpiry } from './status-jobs';
import { expireStatus, readStatus, writeStatus } from './status-store';

const logger = createLogger('silent');
const testDatabase = useTestDatabase();

describe.each([
  ['postgres', () => openPostgres(testDatabase.url)],
  [
    'pglite',
    async () => {
      const database = await openPglite('memory');
      await database.migrate();
      return database;
    },
  ],
] as const)('status expiry on %s', (_kind, openDatabase) => {
  let database: Database;
  let queue: JobQueue;
  const bus = createInProcessBus();
  let userCount = 0;

  beforeAll(async () => {
    database = await openDatabase();
    queue = await openJobQueue(database, {
      logger,
      retryDelaySeconds: 1,
      heartbeatSeconds: 10,
      superviseIntervalSeconds: 1,
      pollingIntervalSeconds: 0.5,
    });
    await registerStatusJobs(queue, { db: database.db, bus, logger });
  }, 60_000);
  afterAll(async () => {
    await queue?.stop();
    await database?.close();
  });

  async function newUser(): Promise<string> {
    userCount += 1;
    const [user] = await database.db
      .insert(schema.users)
      .values({ email: `status-${userCount}@example.com`, name: `Status ${userCount}` })
      .returning({ id: schema.users.id });
    if (!user) throw new Error('no user');
    return user.id;
  }

  it('reads an expired status as cleared before any job ran', async () => {
    const userId = await newUser();
    const expiresAt = new Date(Date.now() + 60_000);
    await writeStatus(database.db, userId, {
      emoji: '🌴',
      text: 'away',
      statusExpiresAt: expiresAt,
    });
    const before = await readStatus(database.db, userId, Date.now());
    expect(before.status).toEqual({ emoji: '🌴', text: 'away', expiresAt });
    const after = await readStatus(database.db, userId, expiresAt.getTime());
    expect(after.status).toBeNull();
  });

  it('leaves a status set again since, and the other part, alone', async () => {
    const userId = await newUser();
    const first = new Date(Date.now() - 1000);
    await writeStatus(database.db, userId, {
      text: 'old',
      statusExpiresAt: first,
      dndUntil: first,
    });
    await writeStatus(database.db, userId, { text: 'new', statusExpiresAt: null });
    expect(await expireStatus(database.db, { userId, part: 'status', at: first }, new Date())).toBe(
      false,
    );
    expect((await readStatus(database.db, userId, Date.now())).status?.text).toBe('new');
    // The manual DND that ended is cleared by its own job, and only once.
    expect(await expireStatus(database.db, { userId, part: 'dnd', at: first }, new Date())).toBe(
      true,
    );
    expect(await expireStatus(database.db, { userId, part: 'dnd', at: first }, new Date())).toBe(
      false,
    );
  });

  it('does not clear a status whose end has not come', async () => {
    const userId = await newUser();
    const end = new Date(Date.now() + 60_000);
    await writeStatus(database.db, userId, { text: 'soon', statusExpiresAt: end });
    expect(await expireStatus(database.db, { userId, part: 'status', at: end }, new Date())).toBe(
      false,
    );
  });

  it('refuses text over 100 characters and half a schedule in the database itself', async () => {
    const userId = await newUser();
    await expect(writeStatus(database.db, userId, { text: 'x'.repeat(101) })).rejects.toThrow();
    await expect(writeStatus(database.db, userId, { dndStart: '22:00' })).rejects.toThrow();
  });

  it('clears the row through the job on time and tells the user', async () => {
    const userId = await newUser();
    const events: unknown[] = [];
    await bus.subscribe(activityUserTopic(userId), (payload) => {
      events.push(JSON.parse(new TextDecoder().decode(payload)));
    });
    const end = new Date(Date.now() + 1500);
    await writeStatus(database.db, userId, { emoji: '📅', text: 'meeting', statusExpiresAt: end });
    await scheduleStatusExpiry(queue, { userId, part: 'status' }, end);
    await waitFor(
      'the status row to be cleared',
      async () => {
        const [row] = await database.db
          .select()
          .from(schema.userStatuses)
          .where(eq(schema.userStatuses.userId, userId));
        return row?.text === null || undefined;
      },
      { timeoutMs: 20_000 },
    );
    await waitFor('the activity event', () => events.length > 0 || undefined);
    expect(events).toEqual([{ kind: 'user_status', userId }]);
  }, 30_000);
});
