import type { Redis } from 'ioredis';
import { assertTopic, deliver, type EventBus, type EventHandler } from './event-bus';

/**
 * Redis pub/sub. Publishing uses the shared connection; subscribing needs a connection of its own
 * (a subscribed Redis connection accepts no other commands). Channels carry the key prefix so
 * that installations sharing one Redis do not hear each other.
 */
export async function createRedisBus(
  redis: Redis,
  { prefix, onError = (_: unknown) => {} }: { prefix: string; onError?: (error: unknown) => void },
): Promise<EventBus> {
  const subscriber = redis.duplicate({ lazyConnect: true });
  subscriber.on('error', () => {});
  await subscriber.connect();
  // `ready` lets a second subscriber of a topic wait for the SUBSCRIBE the first one sent.
  const topics = new Map<string, { handlers: Set<EventHandler>; ready: Promise<unknown> }>();
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    const entry = topics.get(channel.toString().slice(prefix.length));
    // A copy: the parser may hand out slices of a buffer it reuses, and handlers keep the bytes
    // (Yjs keeps binary content as views into the update it applied).
    if (entry) deliver([...entry.handlers], new Uint8Array(message), onError);
  });
  // After a reconnect ioredis sends the SUBSCRIBEs again right after 'ready'; a PING queued
  // behind them answers once they are live, so listeners reading the durable copy then cannot
  // miss what is published afterwards.
  const resubscribed = new Set<() => void>();
  subscriber.on('ready', () => {
    setImmediate(() => {
      subscriber.ping().then(
        () => {
          for (const listener of resubscribed) listener();
        },
        (error: unknown) => onError(error),
      );
    });
  });
  return {
    kind: 'redis',
    async publish(topic, message) {
      assertTopic(topic);
      // A view, not a copy: publishers hand over bytes they no longer change.
      const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
      await redis.publish(prefix + topic, bytes);
    },
    async subscribe(topic, handler) {
      assertTopic(topic);
      let subscription = topics.get(topic);
      if (!subscription) {
        subscription = { handlers: new Set(), ready: subscriber.subscribe(prefix + topic) };
        topics.set(topic, subscription);
      }
      const { handlers, ready } = subscription;
      const entry: EventHandler = (message) => handler(message);
      handlers.add(entry);
      await ready;
      return async () => {
        handlers.delete(entry);
        if (handlers.size === 0 && topics.get(topic) === subscription) {
          topics.delete(topic);
          await subscriber.unsubscribe(prefix + topic);
        }
      };
    },
    onResubscribed(listener) {
      resubscribed.add(listener);
    },
    async close() {
      topics.clear();
      resubscribed.clear();
      subscriber.disconnect();
    },
  };
}
