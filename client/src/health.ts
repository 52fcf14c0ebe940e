/** What `GET /api/health` answers; the client reads only what it shows. */
export interface ServerHealth {
  status: 'ok' | 'degraded';
  version: string;
  backends: Record<string, { kind: string; embedded: boolean; ok: boolean }>;
}

export async function fetchHealth(fetchFn: typeof fetch = fetch): Promise<ServerHealth> {
  // A degraded server answers 503 with the same body; it is still a report worth showing.
  const response = await fetchFn('/api/health', { headers: { Accept: 'application/json' } });
  if (!response.ok && response.status !== 503) {
    throw new Error(`Server answered ${response.status}`);
  }
  return (await response.json()) as ServerHealth;
}
