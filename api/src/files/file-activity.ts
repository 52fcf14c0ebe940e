import { activityChannelTopic, type EventBus, type Logger } from '@confab/db';
import type { ClientActivity } from '@confab/db/model';

export type FileActivity = Extract<ClientActivity, { kind: 'file' }>;

/**
 * Tells the channel's members, on its activity topic (db bus/topics.ts), that a file changed, so
 * their clients ask for its details again instead of waiting for a poll. Call after the change
 * commits. Best effort: the change stands if the bus is down, and clients see it at their next
 * refresh (they refetch everything after a reconnect).
 */
export async function publishFileActivity(
  bus: EventBus,
  logger: Logger,
  { channelId, fileId, change }: Omit<FileActivity, 'kind'>,
): Promise<void> {
  // Ids only: whoever hears it may read the file's details through the API anyway.
  const event: FileActivity = { kind: 'file', channelId, fileId, change };
  const topic = activityChannelTopic(channelId);
  try {
    await bus.publish(topic, new TextEncoder().encode(JSON.stringify(event)));
  } catch (error) {
    logger.warn({ err: error, topic, fileId }, 'file activity not published');
  }
}
