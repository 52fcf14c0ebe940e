/** The app's name, as the document title reads with nothing waiting. */
export const APP_TITLE = 'Confab';

/** Notification reasons the sidebar's mention counts already hold (one per mention, not two). */
const COUNTED_AS_MENTIONS: ReadonlySet<string> = new Set(['mention', 'channel_mention']);

const isConversation = (kind: string) => kind === 'dm' || kind === 'group_dm';

/**
 * How many things wait for me: unread mentions (the sidebar's counts, by read markers) plus
 * unread notifications that are not mentions (a DM, a keyword, a thread reply, `@here`), so a
 * mention, which is also a notification, counts once. In a DM or group DM a message that
 * mentions me is recorded as `direct_message` (the stronger reason) and counted as a mention
 * too: there the larger of the two counts is what waits, as every DM message notifies.
 */
export function waitingCount(
  mentionCounts: ReadonlyArray<{ channelId: string; mentionCount: number }>,
  unreadNotifications: ReadonlyArray<{
    channelId: string;
    channelKind: string;
    reason: string;
    read: boolean;
  }>,
): number {
  const mentions = new Map(
    mentionCounts.map((entry) => [entry.channelId, Math.max(0, entry.mentionCount)]),
  );
  let others = 0;
  const conversations = new Map<string, number>();
  for (const notification of unreadNotifications) {
    if (notification.read || COUNTED_AS_MENTIONS.has(notification.reason)) continue;
    if (!isConversation(notification.channelKind)) others++;
    else
      conversations.set(
        notification.channelId,
        (conversations.get(notification.channelId) ?? 0) + 1,
      );
  }
  let total = others;
  for (const [channelId, count] of mentions)
    total += Math.max(count, conversations.get(channelId) ?? 0);
  for (const [channelId, count] of conversations) if (!mentions.has(channelId)) total += count;
  return total;
}

/** What the badge and the title print: up to 99, then "99+". */
export const badgeText = (count: number) => (count > 99 ? '99+' : String(count));

/** "(3) Confab", or "Confab" when nothing waits. */
export const titleFor = (count: number) =>
  count > 0 ? `(${badgeText(count)}) ${APP_TITLE}` : APP_TITLE;

/** The favicon's side in pixels: drawn at twice the usual 32 for sharp high-density screens. */
const SIZE = 64;

/**
 * Draws the favicon with a red badge holding `count` in its top-right corner, onto `canvas`
 * (its own size set here); `icon` is the plain favicon, drawn under the badge when loaded.
 */
export function drawBadge(
  canvas: HTMLCanvasElement,
  icon: CanvasImageSource | null,
  count: number,
): void {
  canvas.width = SIZE;
  canvas.height = SIZE;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, SIZE, SIZE);
  if (icon) context.drawImage(icon, 0, 0, SIZE, SIZE);
  const text = badgeText(count);
  const radius = text.length > 1 ? 21 : 18;
  const x = SIZE - radius;
  const y = radius;
  context.beginPath();
  context.arc(x, y, radius, 0, Math.PI * 2);
  context.fillStyle = '#cd2553';
  context.fill();
  context.lineWidth = 3;
  context.strokeStyle = '#ffffff';
  context.stroke();
  context.fillStyle = '#ffffff';
  context.font = `bold ${text.length > 2 ? 16 : text.length > 1 ? 22 : 26}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(text, x, y + 1);
}
