import { describe, expect, it } from 'vitest';
import { fileFocusOf, focusOf } from './jump';

const channelId = '0b6c1f9e-2a57-4c39-9d0a-6c1d2e3f4a5b';
const root = '01JDQ7Z8ZK6Y2V3W4X5Y6Z7A8B';
const reply = '01JDQ7Z8ZK6Y2V3W4X5Y6Z7A9C';

describe('focusOf', () => {
  it('finds the segment of a top-level message', () => {
    expect(
      focusOf(
        { id: root, channelId, docName: `channel:${channelId}:segment:3`, parentId: null },
        1,
      ),
    ).toEqual({ channelId, messageId: root, segment: 3, threadRootId: null, at: 1 });
  });

  it('opens the thread of a reply', () => {
    expect(
      focusOf(
        { id: reply, channelId, docName: `channel:${channelId}:thread:${root}`, parentId: root },
        2,
      ),
    ).toMatchObject({ segment: null, threadRootId: root });
  });

  it('ignores a doc name of another channel or no doc name at all', () => {
    const other = '1c7d2a0f-3b68-4d4a-8e1b-7d2e3f4a5b6c';
    expect(
      focusOf({ id: root, channelId, docName: `channel:${other}:segment:0`, parentId: null }, 3),
    ).toMatchObject({ segment: null, threadRootId: null });
    expect(focusOf({ id: root, channelId, docName: 'nonsense', parentId: null }, 4)).toMatchObject({
      segment: null,
    });
  });
});

describe('fileFocusOf', () => {
  const file = {
    channelId,
    messageId: root,
    messageDocName: `channel:${channelId}:segment:2`,
    messageParentId: null,
  };

  it('opens the message a file is attached to, in its segment', () => {
    expect(fileFocusOf(file, 5)).toEqual({
      channelId,
      messageId: root,
      segment: 2,
      threadRootId: null,
      at: 5,
    });
  });

  it('opens the thread when the message is a reply', () => {
    expect(
      fileFocusOf(
        {
          ...file,
          messageId: reply,
          messageDocName: `channel:${channelId}:thread:${root}`,
          messageParentId: root,
        },
        6,
      ),
    ).toMatchObject({ messageId: reply, segment: null, threadRootId: root });
  });

  it('has nowhere to go for a file whose message is unknown', () => {
    expect(fileFocusOf({ ...file, messageId: null }, 7)).toBeNull();
    expect(fileFocusOf({ ...file, messageDocName: null }, 7)).toBeNull();
  });
});
