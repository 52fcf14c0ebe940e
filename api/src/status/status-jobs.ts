import { activityUserTopic, type Db, type EventBus, type Logger } from '@confab/db';
import type { ClientActivity } from '@confab/db/model';
import type { JobQueue } from '../jobs/job-queue';
import { expireStatus } from './status-store';

export const STATUS_EXPIRY_JOB = 'user-status-expiry';

export interface StatusExpiryJob {
  userId: string;
  part: 'status' | 'dnd';
  /** The end this job was made for (ISO): a part set again since has another end, and stays. */
  at: string;
}

export interface StatusJobDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
}

/** Schedules the durable expiry of a status or manual DND that ends at `at`. */
export async function scheduleStatusExpiry(
  queue: JobQueue,
  { userId, part }: Omit<StatusExpiryJob, 'at'>,
  at: Date,
): Promise<void> {
  const job: StatusExpiryJob = { userId, part, at: at.toISOString() };
  await queue.send(STATUS_EXPIRY_JOB, job, {
    startAfter: at,
    singletonKey: `${userId}:${part}:${job.at}`,
  });
}

/**
 * Tells the user's own devices that their status changed (their activity topic). Best effort:
 * the row is the truth and every read applies expiry itself.
 */
export async function publishStatusActivity(
  { bus, logger }: Pick<StatusJobDeps, 'bus' | 'logger'>,
  userId: string,
): Promise<void> {
  const event: ClientActivity = { kind: 'user_status', userId };
  const topic = activityUserTopic(userId);
  try {
    await bus.publish(topic, new TextEncoder().encode(JSON.stringify(event)));
  } catch (error) {
    logger.warn({ err: error, topic }, 'status activity not published');
  }
}

/** Runs the expiry jobs: clear a part if it still ends when the job was made for, and say so. */
export async function registerStatusJobs(queue: JobQueue, deps: StatusJobDeps): Promise<void> {
  await queue.work<StatusExpiryJob>(STATUS_EXPIRY_JOB, async ({ data }) => {
    const { userId, part, at } = data;
    if (await expireStatus(deps.db, { userId, part, at: new Date(at) }, new Date())) {
      await publishStatusActivity(deps, data.userId);
    }
  });
}
