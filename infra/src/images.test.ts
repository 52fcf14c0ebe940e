import { readFileSync } from 'node:fs';
import { backendEnvSchema } from '@confab/db';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { apiEnvSchema, loadApiEnv } from '../../api/src/env';
import { loadSyncEnv, syncEnvSchema } from '../../sync-server/src/env';
import { API_PORT, SYNC_PORT, WRITABLE_PATHS } from './cdk/services';
import { API_PROCESS, SYNC_PROCESS } from './cdk/task-commands';

// Docker cannot run on the development machines: these tests read the Dockerfiles and the compose
// file and check what reading can, against the configuration schemas the processes use.

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** A Dockerfile's stages, each a list of instructions (continuation lines joined). */
function stages(file: string): Instruction[][] {
  const lines = read(file)
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') result.push([]);
    const stage = result.at(-1);
    if (!stage) throw new Error(`${file}: ${keyword} before FROM`);
    stage.push(instruction);
  }
  return result;
}

const args = (stage: Instruction[], keyword: string) =>
  stage.filter((one) => one.keyword === keyword).map((one) => one.args);

/** `ENV A=1 B=2` lines of a stage as one record. */
function envOf(stage: Instruction[]): Record<string, string> {
  return Object.fromEntries(
    args(stage, 'ENV').flatMap((line) =>
      line.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]),
    ),
  );
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`compose has no service ${name}`);
  return found;
};

const images = [
  { file: 'api.Dockerfile', process: API_PROCESS, port: API_PORT, health: '/api/health' },
  { file: 'sync.Dockerfile', process: SYNC_PROCESS, port: SYNC_PORT, health: '/health' },
];

describe.each(images)('$file', ({ file, process, port, health }) => {
  const all = stages(file);
  const final = all.at(-1) ?? [];

  it('is multi-stage, and the image copies in only production dependencies', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(args(final, 'RUN').join('\n')).not.toMatch(/npm (ci|install)/);
    const copied = args(final, 'COPY').find((line) => line.includes('node_modules'));
    const from = copied?.match(/--from=(\S+)/)?.[1];
    const source = all.find((stage) => stage[0]?.args.endsWith(` AS ${from}`));
    expect(source, 'the stage node_modules comes from').toBeDefined();
    expect(args(source ?? [], 'RUN').join('\n')).toMatch(
      /npm ci --omit=dev .*--workspace @confab\//,
    );
  });

  it('runs as the unprivileged node user', () => {
    const users = args(final, 'USER');
    expect(users.at(-1)).toBe('node');
    expect(users).not.toContain('root');
    expect(users).not.toContain('0');
  });

  it('declares the writable paths of the read-only task as volumes node owns', () => {
    expect(args(final, 'VOLUME').map((line) => JSON.parse(line))).toEqual([
      Object.values(WRITABLE_PATHS),
    ]);
    const run = args(final, 'RUN').join('\n');
    expect(run).toContain(`chown node:node ${WRITABLE_PATHS.data}`);
    expect(run).toContain(`chmod 1777 ${WRITABLE_PATHS.tmp}`);
    expect(envOf(final).DATA_DIR).toBe(WRITABLE_PATHS.data);
  });

  it('checks its own health route on its port, and runs the command the ECS task runs', () => {
    const [check] = args(final, 'HEALTHCHECK');
    expect(check).toContain(`'${health}'`);
    expect(check).toContain('process.env.PORT');
    expect(envOf(final).PORT).toBe(String(port));
    expect(JSON.parse(args(final, 'CMD')[0] ?? '[]')).toEqual(process.split(' '));
  });

  it('keeps dependencies, builds and local data out of its build context', () => {
    const ignored = read(`${file}.dockerignore`).split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '**/.confab', '.git']) {
      expect(ignored).toContain(pattern);
    }
  });
});

describe('Dockerfile (one process: client, API and sync on the embedded database)', () => {
  it('runs as node with a health check', () => {
    const final = stages('Dockerfile').at(-1) ?? [];
    expect(args(final, 'USER').at(-1)).toBe('node');
    expect(args(final, 'HEALTHCHECK')[0]).toContain('/api/health');
  });
});

describe('docker-compose.yml', () => {
  const apiImageEnv = envOf(stages('api.Dockerfile').at(-1) ?? []);
  const syncImageEnv = envOf(stages('sync.Dockerfile').at(-1) ?? []);
  // Variables the AWS SDK reads itself (its credential chain), not Confab's schemas.
  const awsChain = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

  it('runs Postgres, Redis, an S3 server, two sync nodes, one API and the proxy', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'files-bucket',
      'minio',
      'postgres',
      'proxy',
      'redis',
      'sync-1',
      'sync-2',
    ]);
    expect(service('sync-1').build?.dockerfile).toBe('infra/sync.Dockerfile');
    expect(service('sync-2').build?.dockerfile).toBe('infra/sync.Dockerfile');
    expect(service('api').build?.dockerfile).toBe('infra/api.Dockerfile');
  });

  it('gives the API only variables its schema reads, and a configuration it accepts', () => {
    const env = service('api').environment ?? {};
    const known = new Set([...Object.keys(apiEnvSchema.shape), ...awsChain]);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    const parsed = loadApiEnv({ ...apiImageEnv, ...env });
    expect(parsed.SERVICES).toEqual(['api', 'client']);
    expect(parsed.TRUST_PROXY).toBe(true);
  });

  it.each(['sync-1', 'sync-2'])(
    'gives %s only variables its schema reads, and a configuration it accepts',
    (name) => {
      const env = service(name).environment ?? {};
      const known = new Set([...Object.keys(syncEnvSchema.shape), ...awsChain]);
      expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
      loadSyncEnv({ ...syncImageEnv, ...env });
    },
  );

  it('points every node at the compose services, and at one public origin: the proxy', () => {
    const api = loadApiEnv({ ...apiImageEnv, ...service('api').environment });
    expect(service('proxy').ports).toEqual([`${new URL(api.PUBLIC_URL).port}:80`]);
    for (const name of ['api', 'sync-1', 'sync-2']) {
      const env = service(name).environment ?? {};
      for (const key of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT'] as const) {
        const host = new URL(env[key] ?? '').hostname;
        expect(Object.keys(compose.services), `${name} ${key}`).toContain(host);
      }
      if (name !== 'api') expect(env.ALLOWED_ORIGINS).toBe(new URL(api.PUBLIC_URL).origin);
      expect(Object.keys(service(name).depends_on ?? {})).toEqual(
        expect.arrayContaining(['postgres', 'redis', 'files-bucket']),
      );
    }
  });

  it('makes the bucket the nodes use before they start', () => {
    const bucket = service('api').environment?.S3_BUCKET;
    expect(backendEnvSchema.shape.S3_BUCKET.parse(bucket)).toBe(bucket);
    expect(service('files-bucket').command?.join(' ')).toContain(
      `mc mb --ignore-existing local/${bucket}`,
    );
  });

  it('runs Redis without eviction and with an append-only file', () => {
    const command = service('redis').command?.join(' ');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--appendonly yes');
  });

  it('has the proxy send /sync/ with WebSocket upgrades to both sync nodes and the rest to the API', () => {
    const conf = read('compose/nginx.conf');
    const block = (pattern: RegExp) => conf.match(pattern)?.[1] ?? '';
    const upstreamOf = (location: string) =>
      block(new RegExp(`location ${location} \\{([^}]*)\\}`)).match(
        /proxy_pass http:\/\/(\w+);/,
      )?.[1];
    const servers = (name: string | undefined) =>
      [...block(new RegExp(`upstream ${name} \\{([^}]*)\\}`)).matchAll(/server (\S+);/g)].map(
        (match) => match[1],
      );
    expect(servers(upstreamOf('/sync/'))).toEqual([`sync-1:${SYNC_PORT}`, `sync-2:${SYNC_PORT}`]);
    expect(servers(upstreamOf('/'))).toEqual([`api:${API_PORT}`]);
    const sync = block(/location \/sync\/ \{([^}]*)\}/);
    expect(sync).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(sync).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(service('proxy').volumes).toEqual([
      './compose/nginx.conf:/etc/nginx/conf.d/default.conf:ro',
    ]);
  });
});
