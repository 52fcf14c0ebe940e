import { useQuery } from '@tanstack/react-query';
import { fetchHealth, type ServerHealth } from './health';

export interface AppProps {
  loadHealth?: () => Promise<ServerHealth>;
}

export function App({ loadHealth = () => fetchHealth() }: AppProps) {
  const health = useQuery({ queryKey: ['health'], queryFn: loadHealth, refetchInterval: 15_000 });
  return (
    <main className="app">
      <h1>Confab</h1>
      <p>Team chat that works offline and never loses a message.</p>
      <section aria-label="Server status" aria-live="polite">
        {health.isPending && <p>Connecting to the server…</p>}
        {health.isError && <p role="alert">The server cannot be reached. Retrying…</p>}
        {health.data && <ServerStatus health={health.data} />}
      </section>
    </main>
  );
}

function ServerStatus({ health }: { health: ServerHealth }) {
  return (
    <>
      <p>
        Server {health.version}: {health.status === 'ok' ? 'all systems working' : 'degraded'}
      </p>
      <ul>
        {Object.entries(health.backends).map(([name, backend]) => (
          <li key={name}>
            {name}: {backend.kind}
            {backend.embedded ? ' (embedded)' : ''} {backend.ok ? '✓' : '✗'}
          </li>
        ))}
      </ul>
    </>
  );
}
