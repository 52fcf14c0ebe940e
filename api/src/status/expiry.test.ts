import { describe, expect, it } from 'vitest';
import { isDndNow, isInSchedule, resolveExpiry } from './expiry';

const at = (iso: string) => Date.parse(iso);

function expiresAt(expiry: string | null, timeZone: string, now: string): string | null {
  const result = resolveExpiry(expiry, timeZone, at(now));
  if (!result.ok) throw new Error(result.reason);
  return result.expiresAt?.toISOString() ?? null;
}

describe('resolveExpiry', () => {
  it('adds fixed durations whatever the zone', () => {
    const now = '2026-03-08T06:45:00.000Z'; // 01:45 in New York, 15 minutes before the gap
    expect(expiresAt('30m', 'America/New_York', now)).toBe('2026-03-08T07:15:00.000Z');
    expect(expiresAt('1h', 'America/New_York', now)).toBe('2026-03-08T07:45:00.000Z');
    expect(expiresAt('4h', 'Asia/Tokyo', now)).toBe('2026-03-08T10:45:00.000Z');
  });

  it('never expires with null', () => {
    expect(expiresAt(null, 'UTC', '2026-11-30T12:00:00Z')).toBeNull();
  });

  it('ends "today" at the next local midnight', () => {
    expect(expiresAt('today', 'Europe/Berlin', '2026-11-30T22:30:00Z')).toBe(
      '2026-11-30T23:00:00.000Z',
    );
    // 23:00 on the 30th in Kiritimati (+14) while UTC is still morning.
    expect(expiresAt('today', 'Pacific/Kiritimati', '2026-11-30T09:00:00Z')).toBe(
      '2026-11-30T10:00:00.000Z',
    );
    // Just after local midnight the day is a new one.
    expect(expiresAt('today', 'Europe/Berlin', '2026-11-30T23:00:00Z')).toBe(
      '2026-12-01T23:00:00.000Z',
    );
  });

  it('follows DST: a 23-hour and a 25-hour day', () => {
    // New York springs forward on 2026-03-08: midnight after is 04:00Z, not 05:00Z.
    expect(expiresAt('today', 'America/New_York', '2026-03-08T06:00:00Z')).toBe(
      '2026-03-09T04:00:00.000Z',
    );
    // Berlin falls back on 2026-10-25: that day ends at 23:00Z (+01), it began at 22:00Z (+02).
    expect(expiresAt('today', 'Europe/Berlin', '2026-10-24T22:30:00Z')).toBe(
      '2026-10-25T23:00:00.000Z',
    );
  });

  it('ends "this_week" at the local midnight starting next Monday', () => {
    // 2026-11-30 is a Monday; 2026-12-06 a Sunday.
    expect(expiresAt('this_week', 'Europe/Berlin', '2026-11-30T12:00:00Z')).toBe(
      '2026-12-06T23:00:00.000Z',
    );
    expect(expiresAt('this_week', 'Europe/Berlin', '2026-12-06T22:59:00Z')).toBe(
      '2026-12-06T23:00:00.000Z',
    );
    // The week that contains the fall-back Sunday ends at +01, not +02.
    expect(expiresAt('this_week', 'Europe/Berlin', '2026-10-21T12:00:00Z')).toBe(
      '2026-10-25T23:00:00.000Z',
    );
    // Sunday evening in Los Angeles is already Monday in UTC: the local week decides.
    expect(expiresAt('this_week', 'America/Los_Angeles', '2026-12-07T05:00:00Z')).toBe(
      '2026-12-07T08:00:00.000Z',
    );
  });

  it('takes an ISO date-time with an offset in the future', () => {
    expect(expiresAt('2026-12-01T09:00:00+01:00', 'UTC', '2026-11-30T12:00:00Z')).toBe(
      '2026-12-01T08:00:00.000Z',
    );
    expect(expiresAt('2026-12-01T09:00Z', 'UTC', '2026-11-30T12:00:00Z')).toBe(
      '2026-12-01T09:00:00.000Z',
    );
  });

  it.each([
    ['2026-11-30T11:59:59Z', 'expiry is in the past'],
    ['2026-11-30T12:00:00Z', 'expiry is in the past'],
    ['2028-01-01T00:00:00Z', 'expiry is more than a year ahead'],
    ['2026-12-01T09:00:00', 'expiry is not a preset or an ISO date-time with an offset'],
    ['2026-12-01', 'expiry is not a preset or an ISO date-time with an offset'],
    ['2027-02-30T10:00:00Z', 'expiry is not a valid date-time'],
    ['2026-12-01T24:00:00Z', 'expiry is not a preset or an ISO date-time with an offset'],
    ['2026-12-01T10:00:00+15:00', 'expiry is not a preset or an ISO date-time with an offset'],
    ['tomorrow', 'expiry is not a preset or an ISO date-time with an offset'],
    ['30m ', 'expiry is not a preset or an ISO date-time with an offset'],
    ['2026-12-01T10:00:00Z\u0000', 'expiry is not a preset or an ISO date-time with an offset'],
  ])('refuses %j', (expiry, reason) => {
    expect(resolveExpiry(expiry, 'UTC', at('2026-11-30T12:00:00Z'))).toEqual({ ok: false, reason });
  });

  it('refuses an unknown time zone', () => {
    for (const zone of ['Mars/Olympus', '', '../etc/passwd', 'Europe/Berlin\u202e']) {
      expect(resolveExpiry('today', zone, at('2026-11-30T12:00:00Z'))).toEqual({
        ok: false,
        reason: 'unknown time zone',
      });
    }
  });
});

describe('isInSchedule', () => {
  const night = { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' };

  it('spans midnight: start inclusive, end exclusive', () => {
    expect(isInSchedule(night, at('2026-11-30T20:59:00Z'))).toBe(false); // 21:59
    expect(isInSchedule(night, at('2026-11-30T21:00:00Z'))).toBe(true); // 22:00
    expect(isInSchedule(night, at('2026-11-30T23:30:00Z'))).toBe(true); // 00:30
    expect(isInSchedule(night, at('2026-12-01T05:59:00Z'))).toBe(true); // 06:59
    expect(isInSchedule(night, at('2026-12-01T06:00:00Z'))).toBe(false); // 07:00
    expect(isInSchedule(night, at('2026-12-01T11:00:00Z'))).toBe(false); // 12:00
  });

  it('holds within a same-day window only', () => {
    const work = { start: '09:00', end: '17:00', timeZone: 'Asia/Kolkata' };
    expect(isInSchedule(work, at('2026-11-30T03:30:00Z'))).toBe(true); // 09:00
    expect(isInSchedule(work, at('2026-11-30T11:29:00Z'))).toBe(true); // 16:59
    expect(isInSchedule(work, at('2026-11-30T11:30:00Z'))).toBe(false); // 17:00
    expect(isInSchedule(work, at('2026-11-30T03:29:00Z'))).toBe(false); // 08:59
  });

  it('is empty when start equals end', () => {
    const none = { start: '08:00', end: '08:00', timeZone: 'UTC' };
    expect(isInSchedule(none, at('2026-11-30T08:00:00Z'))).toBe(false);
  });

  it('moves with the wall clock across DST', () => {
    const nightNy = { start: '22:00', end: '07:00', timeZone: 'America/New_York' };
    // On 2026-03-08 New York is at -04 after 02:00: 06:30 local is 10:30Z, 07:30 is 11:30Z.
    expect(isInSchedule(nightNy, at('2026-03-08T10:30:00Z'))).toBe(true);
    expect(isInSchedule(nightNy, at('2026-03-08T11:30:00Z'))).toBe(false);
    // The day before (at -05) 11:30Z is still 06:30 local.
    expect(isInSchedule(nightNy, at('2026-03-07T11:30:00Z'))).toBe(true);
  });
});

describe('isDndNow', () => {
  const now = at('2026-11-30T12:00:00Z');

  it('holds until the manual end time, then not', () => {
    const state = { dndUntil: new Date('2026-11-30T12:30:00Z'), schedule: null };
    expect(isDndNow(state, now)).toBe(true);
    expect(isDndNow(state, at('2026-11-30T12:30:00Z'))).toBe(false);
  });

  it('falls back to the schedule', () => {
    const lunch = { start: '12:00', end: '13:00', timeZone: 'UTC' };
    expect(isDndNow({ dndUntil: null, schedule: lunch }, now)).toBe(true);
    expect(isDndNow({ dndUntil: new Date(0), schedule: lunch }, at('2026-11-30T13:00:00Z'))).toBe(
      false,
    );
    expect(isDndNow({ dndUntil: null, schedule: null }, now)).toBe(false);
  });
});
