import type { ReactNode } from 'react';
import type { EmojiTable } from './emoji';

export interface MarkupContext {
  /** Display names by user id, for `<@id>` mentions. */
  names: ReadonlyMap<string, string>;
  /** The reader: mentions of them stand out. */
  me: string;
  emoji: EmojiTable | null;
}

/** The only addresses a message may link to: anything else (javascript:, data:...) stays text. */
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The address as the link's href when it is safe and well formed, else null. */
export function safeHref(address: string): string | null {
  if (!/^(https?:\/\/|mailto:)/i.test(address)) return null;
  try {
    return SAFE_PROTOCOLS.has(new URL(address).protocol) ? address : null;
  } catch {
    return null;
  }
}

/**
 * Slack's message markup, rendered as React elements (never as HTML, so nothing in a message can
 * inject markup): *bold* (and **bold**), _italic_, ~strike~, `code`, ``` blocks ```, "> "
 * quotes, links (bare http(s) addresses, Slack's `<url|label>` and `<url>`, and `[text](url)`;
 * http, https and mailto only), `<@user>` and `<!channel>`/`<!here>` mentions, and :shortcode:
 * emoji. Markers count only at word edges, as in Slack, so snake_case_names and 2*3*4 stay as
 * typed.
 */
const INLINE = new RegExp(
  [
    '`([^`\\n]+)`',
    '<@([0-9a-f-]{36})>',
    '<!(channel|here)>',
    // Slack's <url|label> and <url>: the label is never part of the address.
    '<((?:https?:\\/\\/|mailto:)[^\\s<>|]+)(?:\\|([^<>\\n]{1,500}))?>',
    // [text](url), the address in the common Markdown form.
    '\\[([^\\[\\]\\n]{1,500})\\]\\(((?:https?:\\/\\/|mailto:)[^\\s()<>]+)\\)',
    '(https?:\\/\\/[^\\s<>]*[^\\s<>.,;:!?)\\]\'"])',
    ':([a-z0-9_+-]+):',
    '(?<![\\p{L}\\p{N}*])\\*\\*(?=\\S)([^*\\n]+?)(?<=\\S)\\*\\*(?![\\p{L}\\p{N}*])',
    '(?<![\\p{L}\\p{N}*])\\*(?=\\S)([^*\\n]+?)(?<=\\S)\\*(?![\\p{L}\\p{N}*])',
    '(?<![\\p{L}\\p{N}_])_(?=\\S)([^_\\n]+?)(?<=\\S)_(?![\\p{L}\\p{N}_])',
    '(?<![\\p{L}\\p{N}~])~(?=\\S)([^~\\n]+?)(?<=\\S)~(?![\\p{L}\\p{N}~])',
  ].join('|'),
  'gu',
);

function inline(text: string, context: MarkupContext, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const at = match.index;
    if (at > last) out.push(text.slice(last, at));
    last = at + match[0].length;
    const [
      ,
      code,
      userId,
      everyone,
      slackUrl,
      slackLabel,
      linkText,
      linkUrl,
      url,
      shortcode,
      doubleBold,
      bold,
      italic,
      strike,
    ] = match;
    const address = slackUrl ?? linkUrl ?? url;
    const k = `${key}.${at}`;
    if (code !== undefined) out.push(<code key={k}>{code}</code>);
    else if (userId !== undefined) {
      const me = userId === context.me;
      out.push(
        <span key={k} className={me ? 'mention me' : 'mention'}>
          @{context.names.get(userId) ?? 'someone'}
        </span>,
      );
    } else if (everyone !== undefined)
      out.push(
        <span key={k} className="mention me">
          @{everyone}
        </span>,
      );
    else if (address !== undefined) {
      const href = safeHref(address);
      const label = slackLabel ?? linkText ?? address;
      out.push(
        href ? (
          <a
            key={k}
            href={href}
            target="_blank"
            rel="noopener noreferrer nofollow"
            // A label can name another address than its link's: the real one shows on hover.
            title={label === href ? undefined : href}
          >
            {label}
          </a>
        ) : (
          match[0]
        ),
      );
    } else if (shortcode !== undefined) {
      const emoji = context.emoji?.byName.get(shortcode);
      out.push(
        emoji ? (
          <span key={k} title={`:${shortcode}:`}>
            {emoji}
          </span>
        ) : (
          match[0]
        ),
      );
    } else if (doubleBold !== undefined || bold !== undefined)
      out.push(<strong key={k}>{inline(doubleBold ?? bold ?? '', context, k)}</strong>);
    else if (italic !== undefined) out.push(<em key={k}>{inline(italic, context, k)}</em>);
    else if (strike !== undefined) out.push(<s key={k}>{inline(strike, context, k)}</s>);
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Lines outside code blocks: runs of "> " lines become quotes, the rest stays as typed. */
function lines(text: string, context: MarkupContext, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let plain: string[] = [];
  let quote: string[] = [];
  const flush = () => {
    if (plain.length) out.push(...inline(plain.join('\n'), context, `${key}.${out.length}`));
    if (quote.length)
      out.push(
        <blockquote key={`${key}.${out.length}`}>
          {inline(quote.join('\n'), context, `${key}.q${out.length}`)}
        </blockquote>,
      );
    plain = [];
    quote = [];
  };
  for (const line of text.split('\n')) {
    const quoted = /^> ?(.*)$/.exec(line);
    if (quoted ? plain.length : quote.length) flush();
    if (quoted) quote.push(quoted[1] ?? '');
    else plain.push(line);
  }
  flush();
  return out;
}

export function renderMarkup(text: string, context: MarkupContext): ReactNode[] {
  // Odd parts are inside ``` fences; an unclosed fence is not a block.
  const parts = text.split('```');
  if (parts.length % 2 === 0) return lines(text, context, 'm');
  const out: ReactNode[] = [];
  let offset = 0;
  parts.forEach((part, index) => {
    const key = `b${offset}`;
    if (index % 2)
      out.push(
        <pre key={key}>
          <code>{part.replace(/^\n/, '')}</code>
        </pre>,
      );
    else out.push(...lines(part.replace(/^\n|\n$/g, ''), context, key));
    offset += part.length + 3;
  });
  return out;
}
