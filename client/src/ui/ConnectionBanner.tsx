import { useConnectionState } from '../sync/connection-state';

const SAYS = {
  online: '',
  offline: 'Offline — messages will be sent when you’re back',
  reconnecting: 'Reconnecting…',
};

/** Says when the app has no live connection; messages written meanwhile wait in the outbox. */
export function ConnectionBanner() {
  const state = useConnectionState();
  // Always in the DOM, so screen readers announce the change of text.
  return (
    <div
      role="status"
      aria-label="Connection"
      className={`connection-banner ${state}`}
      hidden={state === 'online'}
    >
      {SAYS[state]}
    </div>
  );
}
