import { describe, expect, it } from 'vitest';
import { EXCERPT_LENGTH, excerptOf, mentionedIds } from './excerpt';

const ada = '0f8fad5b-d9cb-469f-a165-70867728950e';
const names = new Map([[ada, 'Ada']]);

describe('a message excerpt', () => {
  it('shows mentions by name, @channel and @here, on one line', () => {
    const text = `<@${ada}> and <@${ada.toUpperCase()}>\n\tsee <!channel> <!here> <@00000000-0000-4000-8000-000000000000>`;
    expect(excerptOf(text, names)).toBe('@Ada and @Ada see @channel @here @someone');
    expect(mentionedIds(text)).toEqual([ada, ada, '00000000-0000-4000-8000-000000000000']);
  });

  it('keeps at most 200 UTF-16 units, never half a surrogate pair', () => {
    expect(excerptOf('x'.repeat(200), names)).toBe('x'.repeat(200));
    const long = excerptOf('x'.repeat(201), names);
    expect(long).toHaveLength(EXCERPT_LENGTH);
    expect(long.endsWith('…')).toBe(true);
    const emoji = excerptOf('😀'.repeat(150), names);
    expect(emoji.length).toBeLessThanOrEqual(EXCERPT_LENGTH);
    expect(emoji).toBe(`${'😀'.repeat(99)}…`);
  });

  it('turns NUL, other control characters and 10 KB into a short clean line', () => {
    const text = `a\u0000b\u0007c\u009fd ${'z'.repeat(10_240)}`;
    const excerpt = excerptOf(text, names);
    expect(excerpt.startsWith('a b c d z')).toBe(true);
    expect(excerpt).toHaveLength(EXCERPT_LENGTH);
    expect(excerptOf('', names)).toBe('');
  });
});
