import type { Redis } from 'ioredis';
import { ConfigError } from './config';
import type { Logger } from './logger';

/** A backend setting that would make the node lie about, or silently drop, what it keeps. */
export interface DurabilityFinding {
  /** `refuse` stops the node (unless the operator opted out); `warn` is only logged. */
  severity: 'refuse' | 'warn';
  backend: 'postgres' | 'redis';
  /** The setting as the operator would write it, with its value: `fsync = off`. */
  setting: string;
  why: string;
  fix: string;
}

/** Thrown by openBackends when a backend would lose acknowledged data; the message says how to fix it. */
export class DurabilityCheckError extends ConfigError {
  override name = 'DurabilityCheckError';
  readonly code = 'unsafe_backend_settings';
}

/**
 * A Postgres server setting with which a private throwaway cluster (the test harness's, run with
 * fsync off for speed) declares itself: its fsync findings are then warnings, not refusals. An
 * operator sets it on purpose in the server's own configuration, like the environment variable.
 */
export const THROWAWAY_CLUSTER_SETTING = 'confab.unsafe_skip_durability_checks';

interface SettingRow {
  name: string;
  setting: string;
  /** Where the value came from: `configuration file`, `database`, `user`, `client`... */
  source: string;
  database: string;
  role: string;
  throwaway: string | null;
}

type Query = (text: string) => Promise<SettingRow[]>;

/**
 * Reads the settings of the session the node will use: synchronous_commit can be set per database,
 * role or connection, so `query` must run on a connection of the node's own pool.
 * `synchronous_commit = local` passes: it waits for the local flush and skips only synchronous
 * standbys, which is what `on` does on a single server or with asynchronous replicas.
 */
export async function checkPostgresDurability(query: Query): Promise<DurabilityFinding[]> {
  const rows = await query(
    `SELECT name, setting, source, current_database() AS database, current_user AS role,
            current_setting('${THROWAWAY_CLUSTER_SETTING}', true) AS throwaway
       FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit')`,
  );
  const findings: DurabilityFinding[] = [];
  for (const { name, setting, source, database, role, throwaway } of rows) {
    if (setting !== 'off') continue;
    const severity = throwaway === 'on' ? 'warn' : 'refuse';
    const declared =
      throwaway === 'on'
        ? ` The server declares itself throwaway (${THROWAWAY_CLUSTER_SETTING}).`
        : '';
    if (name === 'fsync') {
      findings.push({
        severity,
        backend: 'postgres',
        setting: `fsync = off (from ${source})`,
        why: `a crash of Postgres or its machine can lose commits it already confirmed, so updates acknowledged as persisted would be lost [S1].${declared}`,
        fix: 'set fsync = on in postgresql.conf (or drop -c fsync=off from its command line) and restart Postgres.',
      });
    } else if (name === 'synchronous_commit') {
      findings.push({
        severity,
        backend: 'postgres',
        setting: `synchronous_commit = off (from ${source})`,
        why: `Postgres confirms a commit before it is on disk, so updates acknowledged as persisted can be lost in a crash [S1].${declared}`,
        fix: synchronousCommitFix(source, database, role),
      });
    }
  }
  return findings;
}

/** Where the setting came from decides the one statement that removes it. */
function synchronousCommitFix(source: string, database: string, role: string): string {
  const db = quoteIdent(database);
  const user = quoteIdent(role);
  switch (source) {
    case 'database':
      return `run ALTER DATABASE ${db} RESET synchronous_commit;`;
    case 'user':
      return `run ALTER ROLE ${user} RESET synchronous_commit;`;
    case 'database user':
      return `run ALTER ROLE ${user} IN DATABASE ${db} RESET synchronous_commit;`;
    case 'client':
      return 'remove synchronous_commit from the options in DATABASE_URL (or PGOPTIONS).';
    default:
      return 'set synchronous_commit = on (or local) in postgresql.conf and reload Postgres.';
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Redis must never evict: sessions, one-time tokens and rate-limit counters live there, so an
 * eviction signs users out and resets brute-force limits without a trace [S9]. Managed Redis
 * (ElastiCache) often blocks CONFIG; INFO then tells the policy, and when neither answers the node
 * warns instead of guessing. Keeping no copy on disk only warns: a restart signs everyone out but
 * loses no data [S9], and throwaway Redis servers (CI's, the test harness's) run so on purpose.
 */
export async function checkRedisDurability(redis: Redis): Promise<DurabilityFinding[]> {
  const findings: DurabilityFinding[] = [];
  const policy =
    (await configValue(redis, 'maxmemory-policy')) ??
    (await infoField(redis, 'memory', 'maxmemory_policy'));
  if (policy === undefined) {
    findings.push({
      severity: 'warn',
      backend: 'redis',
      setting: 'maxmemory-policy = (unreadable: CONFIG and INFO refused)',
      why: 'if Redis evicts keys, sessions and rate limits vanish [S9].',
      fix: 'make sure the server (or its parameter group) sets maxmemory-policy noeviction.',
    });
  } else if (policy !== 'noeviction') {
    findings.push({
      severity: 'refuse',
      backend: 'redis',
      setting: `maxmemory-policy = ${policy}`,
      why: 'Redis drops keys when it fills up: sessions (users signed out), one-time tokens and rate-limit counters would vanish without a trace [S9].',
      fix: 'set maxmemory-policy noeviction (redis.conf, CONFIG SET, or the parameter group of a managed Redis).',
    });
  }

  const aof = await infoField(redis, 'persistence', 'aof_enabled');
  const save = await configValue(redis, 'save');
  if (aof !== '1' && save !== undefined && save.trim() === '') {
    findings.push({
      severity: 'warn',
      backend: 'redis',
      setting: 'appendonly = no, save = ""',
      why: 'Redis keeps nothing on disk: a Redis restart signs every user out (no data is lost [S9]).',
      fix: 'run Redis with --appendonly yes.',
    });
  } else if (aof !== '1' && save === undefined) {
    findings.push({
      severity: 'warn',
      backend: 'redis',
      setting: `appendonly = ${aof === '0' ? 'no' : '(unreadable)'}, save = (unreadable)`,
      why: 'if Redis keeps nothing on disk, a Redis restart signs every user out (no data is lost [S9]).',
      fix: 'run Redis with --appendonly yes, or check that snapshots or replicas keep its keys.',
    });
  }
  return findings;
}

/** `CONFIG GET`, or undefined where CONFIG is renamed or blocked (managed Redis). */
async function configValue(redis: Redis, name: string): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', name)) as string[];
    return reply[1];
  } catch {
    return undefined;
  }
}

async function infoField(
  redis: Redis,
  section: string,
  field: string,
): Promise<string | undefined> {
  try {
    const info = await redis.info(section);
    const line = info.split(/\r?\n/).find((entry) => entry.startsWith(`${field}:`));
    return line?.slice(field.length + 1).trim();
  } catch {
    return undefined;
  }
}

/**
 * Throws one error naming every refused setting, unless the operator opted out; every finding that
 * does not stop the node is logged as a warning, at every start.
 */
export function enforceDurability(
  findings: readonly DurabilityFinding[],
  { skip, logger }: { skip: boolean; logger: Logger },
): void {
  const refused = findings.filter((finding) => finding.severity === 'refuse');
  if (refused.length > 0 && !skip) {
    const lines = refused.flatMap((finding) => [
      `  ${finding.backend === 'postgres' ? 'Postgres' : 'Redis'} ${finding.setting}: ${finding.why}`,
      `    Fix: ${finding.fix}`,
    ]);
    throw new DurabilityCheckError(
      [
        'Refusing to start: a backend is set up to lose what Confab keeps in it.',
        ...lines,
        'To start anyway on a throwaway setup, set UNSAFE_SKIP_DURABILITY_CHECKS=true (logged as a warning).',
      ].join('\n'),
    );
  }
  for (const finding of findings) {
    logger.warn(
      {
        backend: finding.backend,
        setting: finding.setting,
        skipped: finding.severity === 'refuse' ? 'UNSAFE_SKIP_DURABILITY_CHECKS' : undefined,
      },
      `${finding.backend} ${finding.setting}: ${finding.why} Fix: ${finding.fix}`,
    );
  }
}
