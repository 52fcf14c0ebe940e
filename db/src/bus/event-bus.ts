/**
 * Fan-out of events between the processes of one installation: Yjs updates and awareness between
 * sync nodes, revocations from the API to the sync server. Delivery is at most once and carries
 * no history [S9]: anything that must survive goes to Postgres first.
 */
export interface EventBus {
  readonly kind: 'in-process' | 'redis';
  publish(topic: string, message: Uint8Array): Promise<void>;
  /** Resolves once the subscription is live, so that a publish after it is seen. */
  subscribe(topic: string, handler: EventHandler): Promise<Unsubscribe>;
  /**
   * Called each time the bus lost its connection and is subscribed again: whatever was published
   * in between is lost, so a subscriber that must not miss anything reads the durable copy then.
   */
  onResubscribed(listener: () => void): void;
  close(): Promise<void>;
}

export type EventHandler = (message: Uint8Array) => void;
export type Unsubscribe = () => Promise<void>;

const TOPIC_PATTERN = /^[A-Za-z0-9_.:/-]{1,200}$/;

export function assertTopic(topic: string): void {
  if (!TOPIC_PATTERN.test(topic)) {
    throw new TypeError(`invalid bus topic ${JSON.stringify(topic.slice(0, 50))}`);
  }
}

/** Runs each handler on its own so that one throwing handler cannot starve the others. */
export function deliver(
  handlers: Iterable<EventHandler>,
  message: Uint8Array,
  onError: (error: unknown) => void,
): void {
  for (const handler of handlers) {
    try {
      handler(message);
    } catch (error) {
      onError(error);
    }
  }
}
