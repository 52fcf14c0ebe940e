import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { Api } from './api/api';
import './styles.css';
import './auth/buttons.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// The session's refresh starts now rather than after the first render: on a slow phone the
// round trip then overlaps rendering instead of following it.
const api = new Api();
const resumed = api.resume();

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={new QueryClient()}>
      <App api={api} resumed={resumed} />
    </QueryClientProvider>
  </StrictMode>,
);

// The app shell for offline starts (public/sw.js); the dev server serves modules it cannot cache.
// Registered once the first screen can show: installing fetches every chunk (~75 KB on the wire),
// which must not compete with the first screen's bundle and the session's refresh on a slow link.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  void resumed.finally(() => navigator.serviceWorker.register('/sw.js'));
}
