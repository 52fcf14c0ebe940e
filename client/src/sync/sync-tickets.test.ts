import { describe, expect, it } from 'vitest';
import type { Api } from '../api/api';
import { syncTickets, TICKET_BURST_USES, TICKET_HAND_OUT_MS, ticketSource } from './sync-tickets';

/** An issuer the test answers: ticket `t1`, `t2`, ... with the uses asked for (or fewer). */
function issuer(grant = (asked: number) => asked) {
  const asked: number[] = [];
  let failNext = false;
  return {
    asked,
    failNext: () => {
      failNext = true;
    },
    issue: async (uses: number) => {
      asked.push(uses);
      if (failNext) {
        failNext = false;
        throw new Error('offline');
      }
      return { ticket: `t${asked.length}`, uses: grant(uses) };
    },
  };
}

describe('sync tickets shared by a burst of sockets', () => {
  it('answers every socket of a burst with one request', async () => {
    const api = issuer();
    const source = ticketSource(api.issue);
    const tickets = await Promise.all(Array.from({ length: 8 }, () => source.take()));
    expect(tickets).toEqual(Array(8).fill('t1'));
    expect(api.asked).toEqual([TICKET_BURST_USES]);
  });

  it('asks again once the uses the server granted are handed out', async () => {
    const api = issuer(() => 3);
    const source = ticketSource(api.issue);
    const tickets = await Promise.all(Array.from({ length: 7 }, () => source.take()));
    expect(tickets).toEqual(['t1', 't1', 't1', 't2', 't2', 't2', 't3']);
    expect(api.asked).toHaveLength(3);
  });

  it('hands out no ticket older than the hand-out window', async () => {
    const api = issuer();
    let clock = 1_000;
    const source = ticketSource(api.issue, () => clock);
    expect(await source.take()).toBe('t1');
    clock += TICKET_HAND_OUT_MS - 1;
    expect(await source.take()).toBe('t1');
    clock += 1;
    expect(await source.take()).toBe('t2');
  });

  it('asks for a new ticket after a socket was refused with the current one, not an old one', async () => {
    const api = issuer();
    const source = ticketSource(api.issue);
    expect(await source.take()).toBe('t1');
    source.spoil('t1');
    expect(await source.take()).toBe('t2');
    source.spoil('t1'); // a late refusal of the previous ticket spoils nothing newer
    expect(await source.take()).toBe('t2');
  });

  it('fails the sockets waiting on a failed request, and asks again for the next', async () => {
    const api = issuer();
    const source = ticketSource(api.issue);
    api.failNext();
    const waiting = await Promise.allSettled([source.take(), source.take()]);
    expect(waiting.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await source.take()).toBe('t2');
    expect(api.asked).toHaveLength(2);
  });

  it('never hands one user’s ticket to the next user signed in on the same API client', async () => {
    let issued = 0;
    const bodies: unknown[] = [];
    const api = {
      request: async (_route: string, args: { body: unknown }) => {
        bodies.push(args.body);
        return { ticket: `t${++issued}`, uses: TICKET_BURST_USES, expiresAt: '' };
      },
    } as unknown as Api;
    expect(await syncTickets(api, 'ada').take()).toBe('t1');
    expect(await syncTickets(api, 'ada').take()).toBe('t1');
    expect(await syncTickets(api, 'bob').take()).toBe('t2');
    expect(await syncTickets(api, 'ada').take()).toBe('t3');
    expect(bodies).toEqual(Array(3).fill({ uses: TICKET_BURST_USES }));
  });
});
