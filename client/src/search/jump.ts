import { parseDocRef } from '@confab/db/model';

/**
 * A request to show one message: its channel opens (with the segment holding it, however old),
 * scrolls to it and highlights it briefly; a reply opens its thread on it. `at` tells two
 * requests for the same message apart, so opening the same hit again scrolls there again.
 */
export interface MessageFocus {
  channelId: string;
  messageId: string;
  /** The segment doc's index, when the message is a top-level one in a segment. */
  segment: number | null;
  /** The thread to open, when the message is a reply. */
  threadRootId: string | null;
  at: number;
}

/** Where a search hit lives, from its doc name (`channel:<id>:segment:<n>` or `…:thread:<root>`). */
export function focusOf(
  hit: { id: string; channelId: string; docName: string; parentId: string | null },
  at: number,
): MessageFocus {
  const ref = parseDocRef(hit.docName);
  const inChannel = ref !== null && ref.kind !== 'user' && ref.channelId === hit.channelId;
  return {
    channelId: hit.channelId,
    messageId: hit.id,
    segment: inChannel && ref.kind === 'segment' ? ref.index : null,
    threadRootId: hit.parentId ?? (inChannel && ref.kind === 'thread' ? ref.rootId : null),
    at,
  };
}

/** Where the message a file hit is attached to lives; null when the hit does not say. */
export function fileFocusOf(
  hit: {
    channelId: string;
    messageId: string | null;
    messageDocName: string | null;
    messageParentId: string | null;
  },
  at: number,
): MessageFocus | null {
  if (hit.messageId === null || hit.messageDocName === null) return null;
  return focusOf(
    {
      id: hit.messageId,
      channelId: hit.channelId,
      docName: hit.messageDocName,
      parentId: hit.messageParentId,
    },
    at,
  );
}
