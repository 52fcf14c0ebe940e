import { useQueryClient } from '@tanstack/react-query';
import { createContext, useEffect, useState } from 'react';
import type { Api } from '../api/api';
import { useActivity } from '../sync/activity';
import { applyInboxActivity, findUnread, type InboxEntry } from './inbox-data';
import { createTabGate, type TabGate, tabChannelName, VISIBLE_HEARTBEAT_MS } from './tab-gate';
import {
  notifyPermission,
  PROMPT_DISMISSED_KEY,
  shouldOfferPermission,
  shouldShowWebNotification,
  webNotificationBody,
  webNotificationTitle,
} from './web-notify';

/** Called when the user sends a message: the moment to offer Web Notifications, not on load. */
export const SentContext = createContext<() => void>(() => {});

/**
 * This tab's side of the tab gate for `userId`: says its visibility on every change and, while
 * visible, every heartbeat, and hears the user's other tabs. Without BroadcastChannel the tab
 * decides alone.
 */
function useTabGate(userId: string): TabGate | null {
  const [gate, setGate] = useState<TabGate | null>(null);
  useEffect(() => {
    const channel =
      typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(tabChannelName(userId));
    const opened = createTabGate({
      tabId: crypto.randomUUID(),
      post: (message) => channel?.postMessage(message),
    });
    if (channel) channel.onmessage = (event) => opened.receive(event.data);
    const report = () => opened.report(!document.hidden);
    report();
    document.addEventListener('visibilitychange', report);
    const heartbeat = setInterval(() => {
      if (!document.hidden) report();
    }, VISIBLE_HEARTBEAT_MS);
    setGate(opened);
    return () => {
      clearInterval(heartbeat);
      document.removeEventListener('visibilitychange', report);
      opened.report(false);
      channel?.close();
      setGate(null);
    };
  }, [userId]);
  return gate;
}

/**
 * Turns `notification` activity into Web Notifications while the tab is hidden and no other tab
 * of the user is visible (one hidden tab shows it: see tab-gate.ts), and keeps the inbox and
 * badge current. The event names the entry only: its text comes from the inbox of the open
 * workspace, else of the others. A click focuses the tab and opens the message.
 */
export function WebNotifier({
  api,
  userId,
  workspaceIds,
  onOpen,
}: {
  api: Api;
  /** The signed-in user: their tabs on this device agree on who notifies. */
  userId: string;
  /** The open workspace first. */
  workspaceIds: string[];
  onOpen: (workspaceId: string, entry: InboxEntry) => void;
}) {
  const client = useQueryClient();
  const gate = useTabGate(userId);
  useActivity((activity) => {
    applyInboxActivity(client, activity);
    if (activity.kind !== 'notification') return;
    if (!shouldShowWebNotification({ hidden: document.hidden, permission: notifyPermission() }))
      return;
    void (async () => {
      if (gate && !(await gate.claim(activity.id))) return;
      for (const workspaceId of workspaceIds) {
        const entry = await findUnread(api, workspaceId, activity.id).catch(() => undefined);
        if (!entry) continue;
        const shown = new Notification(webNotificationTitle(entry), {
          body: webNotificationBody(entry),
          // One per entry, however many of this user's tabs are hidden.
          tag: `confab-notification-${entry.id}`,
          icon: '/icon.svg',
        });
        shown.onclick = () => {
          window.focus();
          shown.close();
          onOpen(workspaceId, entry);
        };
        return;
      }
    })();
  });
  return null;
}

/**
 * A small bar offering Web Notifications, shown once the user has sent something (the browser's
 * own prompt then follows a click of theirs); "Not now" sticks on this device, and a browser
 * that says "denied" is never asked.
 */
export function NotificationPrompt({ engaged }: { engaged: boolean }) {
  const [dismissed, setDismissed] = useState(
    () => localStorage.getItem(PROMPT_DISMISSED_KEY) !== null,
  );
  const [permission, setPermission] = useState(notifyPermission);
  if (!shouldOfferPermission({ permission, dismissed, engaged })) return null;
  const dismiss = () => {
    localStorage.setItem(PROMPT_DISMISSED_KEY, '1');
    setDismissed(true);
  };
  return (
    <section className="notify-prompt" aria-label="Desktop notifications">
      <p>
        Get a desktop notification for mentions and direct messages while Confab is in the
        background?
      </p>
      <button
        type="button"
        className="notify-choice primary"
        onClick={() => void Notification.requestPermission().then(setPermission)}
      >
        Turn on notifications
      </button>
      <button type="button" className="notify-choice" onClick={dismiss}>
        Not now
      </button>
    </section>
  );
}
