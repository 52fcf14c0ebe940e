import { useConnectionState } from '../sync/connection-state';
import './connection-banner.css';

const SAYS = {
  online: { short: '', long: '' },
  offline: { short: 'Offline', long: 'Offline — messages will be sent when you’re back' },
  reconnecting: { short: 'Reconnecting…', long: 'Reconnecting…' },
};

/**
 * Says when the app has no live connection; messages written meanwhile wait in the outbox. It
 * sits in the top bar's flow, so it never covers a channel's title (as a floating one did);
 * phones show the short form.
 */
export function ConnectionBanner() {
  const state = useConnectionState();
  // Always in the DOM, so screen readers announce the change of text.
  return (
    <div
      role="status"
      aria-label="Connection"
      className={`connection-pill ${state}`}
      hidden={state === 'online'}
    >
      {SAYS[state].short === SAYS[state].long ? (
        SAYS[state].long
      ) : (
        <>
          <span className="long">{SAYS[state].long}</span>
          <span className="short" aria-hidden="true">
            {SAYS[state].short}
          </span>
        </>
      )}
    </div>
  );
}
