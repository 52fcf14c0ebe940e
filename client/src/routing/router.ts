import { useSyncExternalStore } from 'react';
import { parseRoute, type Route, routePath } from './place';

/**
 * The app's own router on the History API: the URL is the state, `navigate` pushes (or replaces)
 * it, and components read the route with `useRoute`. Back and forward fire `popstate`; our own
 * pushes do not, so they tell the listeners themselves.
 */
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const currentUrl = () => `${window.location.pathname}${window.location.search}`;

/** The URL (path and query) now; re-rendered on every navigation. */
function useUrl(): string {
  return useSyncExternalStore(subscribe, currentUrl);
}

export function useRoute(): Route {
  const url = useUrl();
  const query = url.indexOf('?');
  return parseRoute(query < 0 ? url : url.slice(0, query), query < 0 ? '' : url.slice(query));
}

/**
 * Goes to `route`. `replace` rewrites the current entry instead of adding one: for corrections
 * (a default channel filled in, an old link's form) that Back should skip. Going where one is
 * adds nothing.
 */
export function navigate(route: Route | string, { replace = false } = {}): void {
  const path = typeof route === 'string' ? route : routePath(route);
  if (path === currentUrl()) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
}
