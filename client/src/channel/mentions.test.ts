import { describe, expect, it } from 'vitest';
import { toEditable, tokenBeforeCaret, toStored } from './mentions';

const ada = { id: '0b6c1f9e-2a57-4c39-9d0a-6c1d2e3f4a5b', name: 'Ada' };
const adaL = { id: '1c7d2a0f-3b68-4d4a-8e1b-7d2e3f4a5b6c', name: 'Ada Lovelace' };

describe('mentions in the composer', () => {
  it('stores @Name as <@id>, the longest name first, and @here/@channel as broadcasts', () => {
    expect(toStored('@Ada Lovelace and @Ada, see @here', [ada, adaL])).toBe(
      `<@${adaL.id}> and <@${ada.id}>, see <!here>`,
    );
    expect(toStored('email me at x@Ada.com or @Adam', [ada])).toBe(
      'email me at x@Ada.com or @Adam',
    );
    expect(toStored('@channel!', [])).toBe('<!channel>!');
  });

  it('gives the stored text back as typed for editing', () => {
    const names = new Map([[ada.id, ada.name]]);
    expect(toEditable(`hi <@${ada.id}> <!here> <@${adaL.id}>`, names)).toBe(
      `hi @Ada @here <@${adaL.id}>`,
    );
  });

  it('finds the token being typed before the caret', () => {
    expect(tokenBeforeCaret('hello @Ad', 9)).toEqual({ kind: '@', query: 'Ad', start: 6 });
    expect(tokenBeforeCaret('@Ada Lo', 7)).toEqual({ kind: '@', query: 'Ada Lo', start: 0 });
    expect(tokenBeforeCaret('nice :ta', 8)).toEqual({ kind: ':', query: 'ta', start: 5 });
    expect(tokenBeforeCaret('nice :t', 7)).toBeNull();
    expect(tokenBeforeCaret('a@b', 3)).toBeNull();
    expect(tokenBeforeCaret('time 10:30', 10)).toBeNull();
  });
});
