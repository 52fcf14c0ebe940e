const MENTION = /<@([0-9a-f-]{36})>/g;
/**
 * `<!channel>` mentions every member. `<!here>` does not: it reaches only members active at the
 * time, which the API's notifier decides with presence, and records as their notification.
 */
const EVERYONE = /<!channel>/;

/** User ids named by `<@user>` in a text, each once. */
export const mentionedIds = (text: string): string[] => [
  ...new Set([...text.matchAll(MENTION)].map((match) => match[1] ?? '')),
];

/** Whether a text mentions the whole channel (`<!channel>`, not `<!here>`). */
export const mentionsChannel = (text: string): boolean => EVERYONE.test(text);

/** Whether a text may hold any mention syntax (a cheap test before the regular expressions). */
export const hasMentionSyntax = (text: string): boolean =>
  text.includes('<@') || text.includes('<!');

/** `<@user>` mentions, and everyone in the channel for `<!channel>` (not `<!here>`). */
export function mentionsIn(text: string, channelMembers: readonly string[]): Set<string> {
  const users = new Set(mentionedIds(text));
  if (mentionsChannel(text)) for (const member of channelMembers) users.add(member);
  users.delete('');
  return users;
}
