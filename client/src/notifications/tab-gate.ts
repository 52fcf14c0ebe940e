/**
 * Which of one user's tabs on this device shows a Web Notification. Tabs tell each other their
 * visibility on a BroadcastChannel named for the user: a hidden tab stays quiet while another tab
 * of the user was visible recently (that tab shows the badge and inbox), and when all are hidden
 * exactly one shows it: each hidden tab that got the notification claims it, waits a moment for
 * the others' claims, and the claimant with the smallest tab id wins.
 */
export type TabMessage =
  | { kind: 'visible'; tabId: string }
  | { kind: 'hidden'; tabId: string }
  | { kind: 'claim'; tabId: string; notificationId: string };

/** A visible tab repeats that it is visible this often; a tab silent for 3 of these is not. */
export const VISIBLE_HEARTBEAT_MS = 10_000;
/** How long a claimant waits for other tabs' claims of the same notification. */
export const CLAIM_WINDOW_MS = 200;
/** Claims kept to ignore late arrivals; older ones are forgotten. */
const CLAIMS_KEPT = 200;

export interface TabGateOptions {
  tabId: string;
  post: (message: TabMessage) => void;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

export interface TabGate {
  /** A message from another tab of the same user. */
  receive(message: unknown): void;
  /** This tab's visibility now: on each change and on each heartbeat. */
  report(visible: boolean): void;
  /** Whether this (hidden) tab is the one to show `notificationId`. */
  claim(notificationId: string): Promise<boolean>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isTabMessage(value: unknown): value is TabMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.tabId !== 'string') return false;
  if (message.kind === 'visible' || message.kind === 'hidden') return true;
  return message.kind === 'claim' && typeof message.notificationId === 'string';
}

export function createTabGate({
  tabId,
  post,
  now = Date.now,
  wait = sleep,
}: TabGateOptions): TabGate {
  /** Other tabs last heard to be visible, and when. */
  const visibleAt = new Map<string, number>();
  /** Notification id → the tabs that claimed it. */
  const claims = new Map<string, Set<string>>();

  const addClaim = (notificationId: string, claimant: string) => {
    const claimants = claims.get(notificationId) ?? new Set<string>();
    claimants.add(claimant);
    claims.set(notificationId, claimants);
    if (claims.size > CLAIMS_KEPT) {
      const oldest = claims.keys().next().value;
      if (oldest !== undefined) claims.delete(oldest);
    }
  };

  const anotherTabVisible = () => {
    for (const [other, at] of visibleAt)
      if (now() - at <= 3 * VISIBLE_HEARTBEAT_MS) return true;
      else visibleAt.delete(other);
    return false;
  };

  return {
    receive(message) {
      // Other tabs run the same code, but a malformed message must not break this one.
      if (!isTabMessage(message) || message.tabId === tabId) return;
      if (message.kind === 'visible') visibleAt.set(message.tabId, now());
      else if (message.kind === 'hidden') visibleAt.delete(message.tabId);
      else addClaim(message.notificationId, message.tabId);
    },
    report(visible) {
      post({ kind: visible ? 'visible' : 'hidden', tabId });
    },
    async claim(notificationId) {
      if (anotherTabVisible() || claims.has(notificationId)) return false;
      addClaim(notificationId, tabId);
      post({ kind: 'claim', tabId, notificationId });
      await wait(CLAIM_WINDOW_MS);
      if (anotherTabVisible()) return false;
      const claimants = [...(claims.get(notificationId) ?? [])].sort();
      return claimants[0] === tabId;
    },
  };
}

/** The channel the tabs of `userId` share on this device. */
export const tabChannelName = (userId: string) => `confab.tabs:${userId}`;
