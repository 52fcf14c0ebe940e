// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PresenceContext, useWatch } from './presence';
import { PresenceStore } from './presence-store';
import { WatchList } from './watch-list';

const ADA = '0b5e4f3c-8a51-4c38-9a0e-1d2f3a4b5c6d';
const BOB = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

function Shows({ ids }: { ids: string[] }) {
  useWatch(ids);
  return null;
}

describe('useWatch', () => {
  afterEach(cleanup);

  it('watches what is shown, only well-formed user ids, and lets go on unmount', () => {
    const watch = new WatchList(() => {});
    const hub = { store: new PresenceStore(), watch, setIdleMs: () => {} };
    const view = render(
      <PresenceContext.Provider value={hub}>
        <Shows ids={[ADA, 'Someone', ADA.toUpperCase(), '', `${BOB}<script>`]} />
        <Shows ids={[BOB, ADA]} />
      </PresenceContext.Provider>,
    );
    expect(watch.current().sort()).toEqual([ADA, BOB].sort());
    view.unmount();
    expect(watch.current()).toEqual([]);
  });
});
