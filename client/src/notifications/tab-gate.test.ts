import { describe, expect, it } from 'vitest';
import { createTabGate, type TabGate, type TabMessage, VISIBLE_HEARTBEAT_MS } from './tab-gate';

/**
 * Tabs of one user on one device, joined the way a BroadcastChannel joins them: a message
 * reaches every other tab, not the sender, and only when the bus delivers (`deliver`), so
 * messages can cross in flight as they do between real tabs.
 */
function tabs(ids: string[]) {
  let clock = 0;
  const queue: Array<{ from: string; message: unknown }> = [];
  const gates = new Map<string, TabGate>();
  const deliver = () => {
    for (const { from, message } of queue.splice(0))
      for (const [id, gate] of gates) if (id !== from) gate.receive(message);
  };
  for (const tabId of ids)
    gates.set(
      tabId,
      createTabGate({
        tabId,
        post: (message: TabMessage) => queue.push({ from: tabId, message }),
        now: () => clock,
        // The claim window: other tabs' claims arrive while a claimant waits.
        wait: () => Promise.resolve().then(deliver),
      }),
    );
  const gate = (id: string) => gates.get(id) as TabGate;
  return {
    gate,
    deliver,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('tab gate', () => {
  it('a hidden tab alone shows the notification', async () => {
    const { gate } = tabs(['a']);
    gate('a').report(false);
    expect(await gate('a').claim('n1')).toBe(true);
  });

  it('a hidden tab stays quiet while another tab of the user is visible', async () => {
    const { gate, deliver } = tabs(['a', 'b']);
    gate('a').report(true);
    gate('b').report(false);
    deliver();
    expect(await gate('b').claim('n1')).toBe(false);
  });

  it('notifies again once the visible tab is hidden, or silent for three heartbeats', async () => {
    const { gate, deliver, advance } = tabs(['a', 'b']);
    gate('a').report(true);
    deliver();
    gate('a').report(false);
    deliver();
    expect(await gate('b').claim('n1')).toBe(true);

    gate('a').report(true);
    deliver();
    advance(3 * VISIBLE_HEARTBEAT_MS);
    expect(await gate('b').claim('n2')).toBe(false);
    advance(1);
    expect(await gate('b').claim('n3')).toBe(true);
  });

  it('exactly one of several hidden tabs shows it, when their claims cross', async () => {
    const { gate } = tabs(['c', 'a', 'b']);
    const results = await Promise.all(['c', 'a', 'b'].map((id) => gate(id).claim('n1')));
    expect(results).toEqual([false, true, false]);
  });

  it('a tab that hears a claim before it gets the notification leaves it to the claimant', async () => {
    const { gate, deliver } = tabs(['b', 'a']);
    expect(await gate('b').claim('n1')).toBe(true);
    deliver();
    expect(await gate('a').claim('n1')).toBe(false);
    expect(await gate('a').claim('n2')).toBe(true);
  });

  it('ignores malformed messages and its own', async () => {
    const gate = createTabGate({ tabId: 'a', post: () => {}, wait: async () => {} });
    for (const junk of [
      null,
      'visible',
      42,
      { kind: 'visible' },
      { kind: 'claim', tabId: 'b' },
      { kind: 'claim', tabId: 'b', notificationId: 7 },
      { kind: 'other', tabId: 'b' },
      { kind: 'visible', tabId: 'a' },
    ])
      gate.receive(junk);
    expect(await gate.claim('n1')).toBe(true);
  });
});
