import { assertTopic, deliver, type EventBus, type EventHandler } from './event-bus';

/** The bus of a single-process installation. Delivers asynchronously, as Redis would. */
export function createInProcessBus({ onError = (_: unknown) => {} } = {}): EventBus {
  const topics = new Map<string, Set<EventHandler>>();
  let closed = false;
  return {
    kind: 'in-process',
    async publish(topic, message) {
      assertTopic(topic);
      if (closed) throw new Error('bus is closed');
      const handlers = topics.get(topic);
      if (!handlers) return;
      const snapshot = [...handlers];
      queueMicrotask(() => deliver(snapshot, message, onError));
    },
    async subscribe(topic, handler) {
      assertTopic(topic);
      if (closed) throw new Error('bus is closed');
      let handlers = topics.get(topic);
      if (!handlers) {
        handlers = new Set();
        topics.set(topic, handlers);
      }
      // Wrap so that subscribing the same function twice gives two independent subscriptions.
      const entry: EventHandler = (message) => handler(message);
      handlers.add(entry);
      return async () => {
        handlers.delete(entry);
        if (handlers.size === 0) topics.delete(topic);
      };
    },
    // In one process nothing is ever lost between a publish and its delivery.
    onResubscribed() {},
    async close() {
      closed = true;
      topics.clear();
    },
  };
}
