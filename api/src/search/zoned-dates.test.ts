import { describe, expect, it } from 'vitest';
import { isKnownTimeZone, resolvePeriod } from './zoned-dates';

// A Monday, noon UTC.
const now = Date.parse('2026-11-30T12:00:00Z');
const period = (value: string, timeZone: string) => resolvePeriod(value, timeZone, now);

describe('resolvePeriod', () => {
  it('gives a spring-forward day in Europe/Berlin 23 hours', () => {
    expect(period('2026-03-29', 'Europe/Berlin')).toEqual({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
    });
  });

  it('gives a fall-back day in Europe/Berlin 25 hours', () => {
    expect(period('2026-10-25', 'Europe/Berlin')).toEqual({
      from: '2026-10-24T22:00:00.000Z',
      to: '2026-10-25T23:00:00.000Z',
    });
  });

  it('follows both DST changes of America/New_York', () => {
    expect(period('2026-03-08', 'America/New_York')).toEqual({
      from: '2026-03-08T05:00:00.000Z',
      to: '2026-03-09T04:00:00.000Z',
    });
    expect(period('2026-11-01', 'America/New_York')).toEqual({
      from: '2026-11-01T04:00:00.000Z',
      to: '2026-11-02T05:00:00.000Z',
    });
  });

  it('puts a day of a UTC+14 zone mostly on the previous UTC day', () => {
    expect(period('2026-11-30', 'Pacific/Kiritimati')).toEqual({
      from: '2026-11-29T10:00:00.000Z',
      to: '2026-11-30T10:00:00.000Z',
    });
  });

  it('starts a day whose midnight falls in a DST gap at the end of the gap', () => {
    // Chile springs forward at midnight: 2026-09-06 00:00 does not exist, the day starts at 01:00.
    expect(period('2026-09-06', 'America/Santiago')).toEqual({
      from: '2026-09-06T04:00:00.000Z',
      to: '2026-09-07T03:00:00.000Z',
    });
  });

  it('resolves months, years and relative periods', () => {
    expect(period('2026-02', 'UTC')).toEqual({
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
    });
    expect(period('2026', 'Asia/Tokyo')).toEqual({
      from: '2025-12-31T15:00:00.000Z',
      to: '2026-12-31T15:00:00.000Z',
    });
    expect(period('today', 'UTC')).toEqual({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    // At 12:00 UTC it is already Tuesday 2026-12-01 in Kiritimati.
    expect(period('yesterday', 'Pacific/Kiritimati')).toEqual({
      from: '2026-11-29T10:00:00.000Z',
      to: '2026-11-30T10:00:00.000Z',
    });
    expect(period('week', 'Europe/Berlin')).toEqual({
      from: '2026-11-29T23:00:00.000Z',
      to: '2026-12-06T23:00:00.000Z',
    });
    expect(period('month', 'UTC')).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(period('year', 'UTC')).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    });
  });

  it('refuses what is not a date', () => {
    for (const value of [
      '2026-02-30',
      '2026-13',
      '2026-00',
      '1969',
      '26-11-30',
      '2026-1-5',
      'soon',
      '',
    ]) {
      expect(period(value, 'UTC'), value).toBeUndefined();
    }
    expect(period('2028-02-29', 'UTC')).toBeDefined();
  });

  it('knows IANA zones and refuses others', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone("'; drop table")).toBe(false);
  });
});
