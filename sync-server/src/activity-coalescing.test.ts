import { randomUUID } from 'node:crypto';
import { activityChannelTopic, createInProcessBus, createLogger, type EventBus } from '@confab/db';
import { MessageType } from '@confab/db/model';
import { waitFor } from '@confab/db/testing';
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import { ActivityHub, type MessageActivity } from './activity';
import { testConnection } from './engine/engine-test-kit';

const channelId = randomUUID();
const message = (messageId: string): MessageActivity => ({
  kind: 'message',
  channelId,
  messageId,
  authorId: null,
  parentId: null,
  mentioned: [],
  everyone: false,
});

/** A hub on an in-process bus that counts publications, and one user's connection to it. */
async function hubWithListener() {
  const inner = createInProcessBus();
  const published: string[] = [];
  const bus: EventBus = {
    ...inner,
    publish: (topic, bytes) => {
      published.push(new TextDecoder().decode(bytes));
      return inner.publish(topic, bytes);
    },
  };
  const hub = new ActivityHub(bus, async () => [channelId], createLogger('silent'));
  const connection = testConnection(randomUUID());
  await hub.attach(connection);
  /** The 102 frames the connection got, each as the JSON it carried. */
  const frames = () =>
    connection.frames.map((frame) => {
      const decoder = decoding.createDecoder(frame);
      expect(decoding.readVarUint(decoder)).toBe(MessageType.activity);
      return JSON.parse(decoding.readVarString(decoder)) as unknown;
    });
  return { hub, inner, published, frames };
}

describe('activity coalescing', () => {
  it('sends the events of one publish to a user as one frame, after one bus message', async () => {
    const { hub, published, frames } = await hubWithListener();
    hub.publish([message('a'), message('b')]);
    await waitFor('a frame', () => (frames().length ? true : undefined));
    expect(published).toHaveLength(1);
    expect(frames()).toEqual([
      [
        expect.objectContaining({ kind: 'message', messageId: 'a', mention: false }),
        expect.objectContaining({ kind: 'message', messageId: 'b' }),
      ],
    ]);
  });

  it('joins events of separate publishes within a tick, and sends a lone event as an object', async () => {
    const { hub, frames } = await hubWithListener();
    hub.publish([message('a')]);
    hub.publish([message('b')]);
    await waitFor('a frame', () => (frames().length ? true : undefined));
    hub.publish([message('c')]);
    await waitFor('a second frame', () => (frames().length === 2 ? true : undefined));
    const ids = (value: unknown) => (value as Array<{ messageId: string }>).map((m) => m.messageId);
    expect(ids(frames()[0])).toEqual(['a', 'b']);
    expect(frames()[1]).toEqual(expect.objectContaining({ kind: 'message', messageId: 'c' }));
  });

  it('passes on the known events of a bus array and drops the rest', async () => {
    const { inner, frames } = await hubWithListener();
    const hostile = [null, 7, 'message', { kind: 'nuke' }, [message('x')], message('ok')];
    await inner.publish(
      activityChannelTopic(channelId),
      new TextEncoder().encode(JSON.stringify(hostile)),
    );
    await inner.publish(activityChannelTopic(channelId), new TextEncoder().encode('[{"kind"'));
    await waitFor('a frame', () => (frames().length ? true : undefined));
    expect(frames()).toEqual([expect.objectContaining({ kind: 'message', messageId: 'ok' })]);
  });
});
