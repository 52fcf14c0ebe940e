import {
  activityUserTopic,
  type Db,
  type EventBus,
  encodePresenceEvent,
  type Logger,
  presenceUserTopic,
} from '@confab/db';
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
 * Tells the user's own devices that their status changed (their activity topic), and everyone
 * watching them (`presence.user.<id>`: sync nodes pass it on as `statuses` in a 105). Best
 * effort: the row is the truth and every read applies expiry itself.
 */
export async function publishStatusChange(
  { bus, logger }: Pick<StatusJobDeps, 'bus' | 'logger'>,
  userId: string,
): Promise<void> {
  const event: ClientActivity = { kind: 'user_status', userId };
  const messages: Array<[string, Uint8Array]> = [
    [activityUserTopic(userId), new TextEncoder().encode(JSON.stringify(event))],
    [presenceUserTopic(userId), encodePresenceEvent({ kind: 'status', userId })],
  ];
  for (const [topic, message] of messages) {
    try {
      await bus.publish(topic, message);
    } catch (error) {
      logger.warn({ err: error, topic }, 'status change not published');
    }
  }
}

/** Runs the expiry jobs: clear a part if it still ends when the job was made for, and say so. */
export async function registerStatusJobs(queue: JobQueue, deps: StatusJobDeps): Promise<void> {
  await queue.work<StatusExpiryJob>(STATUS_EXPIRY_JOB, async ({ data }) => {
    const { userId, part, at } = data;
    if (await expireStatus(deps.db, { userId, part, at: new Date(at) }, new Date())) {
      await publishStatusChange(deps, data.userId);
    }
  });
}
