import { describe, expect, it } from 'vitest';
import { CloseCode, MessageType, reconnects, ULID_PATTERN, UUID_PATTERN } from './wire';

describe('reconnects', () => {
  // A new connection after these would be refused the same way; the others are transient,
  // and so is any code the server does not send (1006: pings went unanswered).
  const final = [
    CloseCode.frameTooLarge,
    CloseCode.malformed,
    CloseCode.forbidden,
    CloseCode.updateTooLarge,
  ];
  const transient = [
    CloseCode.goingAway,
    CloseCode.persistenceFailed,
    CloseCode.unauthenticated,
    CloseCode.rejected,
    CloseCode.rateLimited,
    1006,
    0,
  ];

  it('stops after closes a new connection would meet again, and only after those', () => {
    const outcomes = [...final, ...transient].map((code) => [code, reconnects(code)]);
    expect(outcomes).toEqual([
      ...final.map((code) => [code, false]),
      ...transient.map((code) => [code, true]),
    ]);
  });
});

describe('id patterns', () => {
  it('accepts a ULID and refuses look-alikes', () => {
    const id = '01JD6Z8X4K3M9QW2R5T7V0YBNC';
    expect(ULID_PATTERN.test(id)).toBe(true);
    for (const bad of [
      id.toLowerCase(),
      id.slice(1),
      `${id}0`,
      `${id.slice(1)}U`,
      `${id.slice(1)}I`,
      ` ${id}`,
      `${id}\n`,
    ])
      expect(ULID_PATTERN.test(bad), JSON.stringify(bad)).toBe(false);
  });

  it('accepts a lower-case UUID only, whole', () => {
    const id = '3f2b8c1e-9a4d-4e7f-b0c6-5d1a2e3f4b6c';
    expect(UUID_PATTERN.test(id)).toBe(true);
    for (const bad of [id.toUpperCase(), id.replaceAll('-', ''), `${id}x`, `x${id}`, `${id}\n`])
      expect(UUID_PATTERN.test(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('message types', () => {
  it('gives every message type its own number, presence at 103-105', () => {
    const numbers = Object.values(MessageType);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect([MessageType.presenceReport, MessageType.presenceWatch, MessageType.presence]).toEqual([
      103, 104, 105,
    ]);
  });
});
