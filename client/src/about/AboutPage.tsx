import { useQuery } from '@tanstack/react-query';
import type { Api } from '../api/api';
import { navigate } from '../routing/router';
import './about.css';

const BACKEND_NAMES = {
  database: 'Database',
  redis: 'Sessions and limits',
  bus: 'Fan-out',
  blobs: 'Files',
};

/**
 * `/about`: the server's health, refreshed every 15 s. Version and backends are shown when the
 * server tells them (it does to callers on its own machine only); everyone sees the status.
 */
export function AboutPage({ api }: { api: Api }) {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () => api.request('GET /api/health'),
    refetchInterval: 15_000,
    retry: false,
  });
  const data = health.data;
  return (
    <main className="about" aria-labelledby="about-title">
      <button type="button" className="secondary" onClick={() => window.history.back()}>
        ← Back
      </button>
      <h1 id="about-title">About Confab</h1>
      <p>Confab is an open-source, local-first team chat: it keeps working offline.</p>
      <h2>Server</h2>
      <div role="status" aria-live="polite">
        {health.isPending && <p>Asking the server…</p>}
        {health.isError && <p role="alert">The server cannot be reached. Retrying…</p>}
        {data && (
          <p>
            Status: <strong>{data.status === 'ok' ? 'All systems working' : 'Degraded'}</strong>
            {'version' in data && <> · version {data.version}</>}
          </p>
        )}
      </div>
      {data && 'backends' in data && (
        <table>
          <caption>Backends</caption>
          <tbody>
            {Object.entries(data.backends).map(([name, backend]) => (
              <tr key={name}>
                <th scope="row">{BACKEND_NAMES[name as keyof typeof BACKEND_NAMES] ?? name}</th>
                <td>
                  {backend.kind}
                  {backend.embedded ? ' (embedded)' : ''}
                </td>
                <td>{backend.ok ? 'working' : 'not answering'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="primary" onClick={() => navigate('/')}>
        Open Confab
      </button>
    </main>
  );
}
