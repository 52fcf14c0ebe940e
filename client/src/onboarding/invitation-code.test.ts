import { describe, expect, it } from 'vitest';
import { invitationToken } from './invitation-code';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz012345';

describe('invitationToken', () => {
  it('takes a link or a bare code, in any case and with spaces around', () => {
    expect(invitationToken(`https://chat.example.com/invite/${TOKEN}`)).toBe(TOKEN);
    expect(invitationToken(`  http://127.0.0.1:3000/invite/${TOKEN}/ `)).toBe(TOKEN);
    expect(invitationToken(`/invite/${TOKEN}`)).toBe(TOKEN);
    expect(invitationToken(TOKEN.toUpperCase())).toBe(TOKEN);
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'hello',
      TOKEN.slice(1),
      `${TOKEN}x`,
      `https://chat.example.com/invite/${TOKEN}/accept`,
      `https://chat.example.com/w/${TOKEN}`,
      `javascript:alert(1)//${TOKEN}`,
      `${TOKEN.slice(0, 31)}/`,
    ])
      expect(invitationToken(bad), bad).toBeNull();
  });
});
