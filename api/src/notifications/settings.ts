import { type Db, schema } from '@confab/db';
import { and, eq, sql } from 'drizzle-orm';
import { defaultPreference } from './notifier';
import { type ChannelKind, type ChannelPreference, isDirect } from './rules';

const { channelMembers: cm, notificationSettings: ns } = schema;

export interface NotificationSettings {
  keywords: string[];
  emailMentions: boolean;
}

/** A user's keywords and mail choice; the defaults before they chose anything. */
export async function readSettings(db: Db, userId: string): Promise<NotificationSettings> {
  const [row] = await db
    .select({ keywords: ns.keywords, emailMentions: ns.emailMentions })
    .from(ns)
    .where(eq(ns.userId, userId));
  return row ?? { keywords: [], emailMentions: true };
}

export async function writeSettings(
  db: Db,
  userId: string,
  change: Partial<NotificationSettings>,
): Promise<NotificationSettings> {
  const [row] = await db
    .insert(ns)
    .values({ userId, ...change })
    .onConflictDoUpdate({ target: ns.userId, set: change })
    .returning({ keywords: ns.keywords, emailMentions: ns.emailMentions });
  if (!row) throw new Error('notification settings upsert returned no row');
  return row;
}

export type PreferenceChoice = ChannelPreference | 'default';

export interface ChannelNotificationPreference {
  preference: PreferenceChoice;
  effective: ChannelPreference;
  muted: boolean;
}

/** A member's choice for a channel, or null when they are not a member. */
export async function readPreference(
  db: Db,
  userId: string,
  channelId: string,
  kind: ChannelKind,
): Promise<ChannelNotificationPreference | null> {
  const [row] = await db
    .select({ notify: cm.notify, muted: sql<boolean>`${cm.mutedAt} IS NOT NULL` })
    .from(cm)
    .where(and(eq(cm.channelId, channelId), eq(cm.userId, userId)));
  if (!row) return null;
  // A DM's preference is not applied (rules.ts, rule 4): it reads as the default whatever is stored.
  const notify = isDirect(kind) ? null : row.notify;
  return {
    preference: notify ?? 'default',
    effective: notify ?? defaultPreference(kind),
    muted: row.muted,
  };
}

/** Sets a member's choice (`default` clears it) and mute; answers false when not a member. */
export async function writePreference(
  db: Db,
  userId: string,
  channelId: string,
  change: { preference?: PreferenceChoice; muted?: boolean },
): Promise<boolean> {
  const set: Partial<typeof cm.$inferInsert> = {};
  if (change.preference !== undefined)
    set.notify = change.preference === 'default' ? null : change.preference;
  // An unchanged mute keeps its time (when it began).
  if (change.muted !== undefined)
    Object.assign(set, { mutedAt: change.muted ? sql`coalesce(${cm.mutedAt}, now())` : null });
  const rows = await db
    .update(cm)
    .set(set)
    .where(and(eq(cm.channelId, channelId), eq(cm.userId, userId)))
    .returning({ userId: cm.userId });
  return rows.length > 0;
}
