import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type EmojiTable, loadEmoji } from './emoji';
import { renderMarkup } from './markup';

const ada = '0b6c1f9e-2a57-4c39-9d0a-6c1d2e3f4a5b';
const bob = '1c7d2a0f-3b68-4d4a-8e1b-7d2e3f4a5b6c';
let emoji: EmojiTable | null = null;
const html = (text: string, withEmoji = true) =>
  renderToStaticMarkup(
    renderMarkup(text, {
      names: new Map([
        [ada, 'Ada'],
        [bob, 'Bob'],
      ]),
      me: ada,
      emoji: withEmoji ? emoji : null,
    }),
  );

describe('message markup', () => {
  it('renders Slack-style formatting', async () => {
    emoji = await loadEmoji();
    expect(html('*bold* _italic_ ~gone~ `x = 1`')).toBe(
      '<strong>bold</strong> <em>italic</em> <s>gone</s> <code>x = 1</code>',
    );
    expect(html('*bold _and italic_*')).toBe('<strong>bold <em>and italic</em></strong>');
    expect(html('> quoted\n> twice\nafter')).toBe('<blockquote>quoted\ntwice</blockquote>after');
    expect(html('see:\n```\nconst *a* = 1;\n```\ndone')).toBe(
      'see:<pre><code>const *a* = 1;\n</code></pre>done',
    );
  });

  it('leaves markers inside words and unbalanced ones as typed', () => {
    expect(html('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
    expect(html('* not bold *')).toBe('* not bold *');
    expect(html('*unclosed')).toBe('*unclosed');
    expect(html('```open fence')).toBe('```open fence');
  });

  it('renders mentions with names, and marks the reader’s own', () => {
    expect(html(`hi <@${bob}> and <@${ada}>`)).toBe(
      'hi <span class="mention">@Bob</span> and <span class="mention me">@Ada</span>',
    );
    expect(html('<!here> standup')).toBe('<span class="mention me">@here</span> standup');
    expect(html(`<@${'f'.repeat(8)}-0000-0000-0000-000000000000>`)).toContain('@someone');
  });

  it('turns shortcodes into emoji once the table is loaded, and keeps unknown ones', () => {
    expect(html(':tada: :+1: :no_such_emoji:')).toBe(
      '<span title=":tada:">🎉</span> <span title=":+1:">👍</span> :no_such_emoji:',
    );
    expect(html(':tada:', false)).toBe(':tada:');
    expect(emoji?.search('thumbs')[0]?.emoji).toBe('👍');
  });

  it('links http and https only, without trailing punctuation', () => {
    expect(html('read https://example.com/a?b=1.')).toBe(
      'read <a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow">https://example.com/a?b=1</a>.',
    );
    expect(html('javascript:alert(1) data:text/html,x')).toBe(
      'javascript:alert(1) data:text/html,x',
    );
  });

  it('renders **bold**, [text](url) and Slack links with their label outside the address', () => {
    const link = (href: string, label: string, title = true) =>
      `<a href="${href}" target="_blank" rel="noopener noreferrer nofollow"${title ? ` title="${href}"` : ''}>${label}</a>`;
    expect(html('**loud** and **a _b_**')).toBe(
      '<strong>loud</strong> and <strong>a <em>b</em></strong>',
    );
    expect(html('see [the docs](https://example.com/docs?a=1) now')).toBe(
      `see ${link('https://example.com/docs?a=1', 'the docs')} now`,
    );
    expect(html('<https://example.com/x|the report> and <https://example.com/y>')).toBe(
      `${link('https://example.com/x', 'the report')} and ${link('https://example.com/y', 'https://example.com/y', false)}`,
    );
    expect(html('[mail me](mailto:ada@example.com)')).toBe(
      link('mailto:ada@example.com', 'mail me'),
    );
  });

  it('never links javascript:, data: or other unsafe addresses, whatever the form', () => {
    for (const hostile of [
      '[click](javascript:alert(1))',
      '[click](JavaScript:alert(1))',
      '[click](data:text/html,<script>alert(1)</script>)',
      '<javascript:alert(1)|click>',
      '<vbscript:msgbox(1)|click>',
      '[click](//evil.example)',
      '[click]( javascript:alert(1))',
      '<data:text/html;base64,PHNjcmlwdD4=|click>',
    ])
      expect(html(hostile), hostile).not.toContain('<a ');
    expect(html('[x](https://a.example" onmouseover="alert(1))')).not.toContain('onmouseover="');
    expect(html('<https://a.example|x" onclick="y>')).not.toMatch(/<a [^>]*onclick/);
  });

  it('handles long hostile runs of links and brackets and finishes', () => {
    const out = html(`${'[a'.repeat(20_000)}${'<https://a.example|'.repeat(2_000)}](https://x`);
    expect(out).not.toContain('<a ');
  });

  it('never lets a message inject markup', () => {
    expect(html('<script>alert(1)</script><img src=x onerror=alert(1)>')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;',
    );
    expect(html('https://x.example/"><script>')).toBe(
      '<a href="https://x.example/" target="_blank" rel="noopener noreferrer nofollow">https://x.example/</a>&quot;&gt;&lt;script&gt;',
    );
    expect(html('*<b>bold?</b>*')).toBe('<strong>&lt;b&gt;bold?&lt;/b&gt;</strong>');
  });

  it('handles long hostile runs of markers and finishes', () => {
    const hostile = `${'*_~'.repeat(13_000)}${'*a '.repeat(5_000)}${'`'.repeat(3_000)}`;
    const out = html(`${hostile}<script>`);
    const tags = new Set([...out.matchAll(/<\/?([a-z]+)/g)].map((match) => match[1]));
    expect([...tags].every((tag) => ['strong', 'em', 's', 'code', 'pre'].includes(tag ?? ''))).toBe(
      true,
    );
    expect(out.endsWith('&lt;script&gt;')).toBe(true);
  });
});
