import { describe, expect, it } from 'vitest';
import { expiryFor, isoToLocalInput, localInputToIso, nextMorning } from './status-time';

describe('status times', () => {
  it('sends presets as they are, "don\'t clear" as null and a date as an ISO instant', () => {
    expect(expiryFor('30m', '')).toBe('30m');
    expect(expiryFor('this_week', '')).toBe('this_week');
    expect(expiryFor('never', '')).toBeNull();
    const iso = expiryFor('date', '2030-06-01T15:30');
    expect(iso).toMatch(/^2030-06-01T\d\d:30:00\.000Z$/);
    expect(new Date(iso as string).getHours()).toBe(15);
  });

  it('refuses a missing or malformed date instead of sending it', () => {
    expect(expiryFor('date', '')).toBeUndefined();
    expect(localInputToIso('2030-02-30T10:00x')).toBeNull();
    expect(localInputToIso('<script>')).toBeNull();
    expect(localInputToIso('2030-13-45T99:99')).toBeNull();
  });

  it('round-trips a local input value', () => {
    const at = new Date(2030, 0, 2, 3, 4).getTime();
    expect(isoToLocalInput(at)).toBe('2030-01-02T03:04');
    expect(Date.parse(localInputToIso(isoToLocalInput(at)) as string)).toBe(at);
  });

  it('pauses until 9:00 the next morning', () => {
    const late = new Date(2030, 0, 31, 23, 50).getTime();
    const morning = new Date(nextMorning(late));
    expect([morning.getMonth(), morning.getDate(), morning.getHours()]).toEqual([1, 1, 9]);
  });
});
