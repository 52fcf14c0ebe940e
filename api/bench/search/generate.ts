import type { Db } from '@confab/db';
import { seededRandom } from '@confab/db/testing';
import { execute } from './sql';
import { buildVocabulary, CJK_SENTENCES, type Vocabulary } from './vocabulary';

/**
 * The benchmark's data set: one workspace with `users` people and `channels` channels, and
 * `messages` messages over the two years before `end`, with Zipf-distributed words, replies,
 * files, links, mentions and reactions, so that every operator has work. Deterministic for a seed.
 */
export interface DataSetOptions {
  messages: number;
  channels: number;
  /** Every `publicEvery`-th channel is public, the others private. */
  publicEvery: number;
  /** Channels the searching user is a member of (a fifth of them public). */
  memberOf: number;
  users: number;
  vocabularySize: number;
  zipfExponent: number;
  /** Messages per insert transaction, and how many transactions run at once. */
  batchSize: number;
  concurrency: number;
  seed: number;
  end: Date;
}

export interface DataSet {
  workspaceId: string;
  /** The searching user, a plain member. */
  searcherId: string;
  /** Ada Lovelace, a prolific author (`from:@ada`). */
  adaId: string;
  memberChannelIds: string[];
  vocabulary: Vocabulary;
  /** By vocabulary rank: occurrences in messages the searcher may read (to pick a rare word). */
  readableOccurrences: Int32Array;
  counts: {
    messages: number;
    replies: number;
    files: number;
    reactions: number;
    threads: number;
  };
  loadMs: number;
}

const TWO_YEARS_MS = 2 * 365 * 24 * 3600 * 1000;
/** Share of messages that are replies, carry a file, a link, a mention, reactions, CJK text. */
const RATES = { reply: 0.1, file: 0.05, link: 0.03, mention: 0.04, reaction: 0.06, cjk: 0.001 };
/** Share of messages by Ada; the others are spread evenly over the other people. */
const ADA_SHARE = 0.03;
/** Fixed phrases written in 2% of messages, so the phrase case matches adjacent words. */
const PHRASES = ['code review', 'release notes', 'load balancer', 'customer feedback'];
const PHRASE_RATE = 0.02;
const EMOJIS = ['+1', 'tada', 'eyes', 'heart', 'rocket', 'white_check_mark', 'pray', 'joy'];
const FIRST_NAMES = (
  'Grace Alan Edsger Barbara Donald Margaret Linus Ken Dennis Frances Radia Tim Vint Hedy Annie ' +
  'Katherine Dorothy Mary Sophie Claude John Niklaus Bjarne Guido James Yukihiro Rich Joe ' +
  'Leslie Tony Robin Ivan Jean Shafi Whitfield Martin Lynn Carol Adele Jim José María Zoë Chloé'
).split(' ');
const LAST_NAMES = (
  'Hopper Turing Dijkstra Liskov Knuth Hamilton Torvalds Thompson Ritchie Allen Perlman ' +
  'Berners-Lee Cerf Lamarr Easley Johnson Vaughan Jackson Wilson Shannon McCarthy Wirth ' +
  'Stroustrup Rossum Gosling Matsumoto Hickey Armstrong Lamport Hoare Milner Sutherland Sammet ' +
  'Goldwasser Diffie Hellman Conway Kerninghan Goldberg Weizenbaum Núñez Müller Brontë'
).split(' ');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID for a time, with seeded randomness: ids sort by time like the clients' ids. */
export function ulidAt(ms: number, random: () => number): string {
  let time = '';
  let rest = ms;
  for (let index = 0; index < 10; index++) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  let tail = '';
  for (let index = 0; index < 16; index++) tail += CROCKFORD[Math.floor(random() * 32)];
  return time + tail;
}

function uuidFrom(random: () => number): string {
  let hex = '';
  for (let index = 0; index < 32; index++) hex += Math.floor(random() * 16).toString(16);
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

interface Thread {
  channelId: string;
  replies: number;
  lastReplyId: string;
  lastReplyAt: string;
}

interface Batch {
  messages: {
    id: string[];
    channelId: string[];
    docName: string[];
    authorId: string[];
    parentId: Array<string | null>;
    text: string[];
    fileIds: string[];
    createdAt: string[];
    receivedAt: string[];
    docSeq: number[];
  };
  files: {
    id: string[];
    channelId: string[];
    uploaderId: string[];
    name: string[];
    contentType: string[];
    kind: string[];
    extractedText: Array<string | null>;
    messageId: string[];
    createdAt: string[];
  };
  reactions: { messageId: string[]; emoji: string[]; userId: string[]; reactedAt: string[] };
}

const FILE_TYPES = [
  { extension: 'pdf', contentType: 'application/pdf', kind: 'pdf', hasText: true },
  { extension: 'png', contentType: 'image/png', kind: 'image', hasText: false },
  { extension: 'txt', contentType: 'text/plain', kind: 'text', hasText: true },
];

/** Makes the messages in time order, one batch at a time; replies answer recent roots of their channel. */
class MessageMaker {
  private readonly random: () => number;
  private made = 0;
  private readonly start: number;
  private readonly step: number;
  private readonly recentRoots = new Map<string, string[]>();
  private readonly topLevelCounts = new Map<string, number>();
  readonly threads = new Map<string, Thread>();
  readonly counts = { messages: 0, replies: 0, files: 0, reactions: 0, threads: 0 };
  readonly readableOccurrences: Int32Array;
  private readonly ranks: Map<string, number>;

  constructor(
    private readonly options: DataSetOptions,
    private readonly vocabulary: Vocabulary,
    private readonly channelIds: string[],
    private readonly userIds: string[],
    private readonly adaId: string,
    private readonly readableChannelIds: ReadonlySet<string>,
  ) {
    this.readableOccurrences = new Int32Array(vocabulary.words.length);
    this.ranks = new Map(vocabulary.words.map((word, rank) => [word, rank]));
    this.random = seededRandom(options.seed + 1);
    this.start = options.end.getTime() - TWO_YEARS_MS;
    this.step = TWO_YEARS_MS / options.messages;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }

  private word(): string {
    return this.vocabulary.words[this.vocabulary.sample(this.random)] as string;
  }

  private words(count: number): string[] {
    return Array.from({ length: count }, () => this.word());
  }

  private text(withFile: boolean): string {
    if (this.random() < RATES.cjk) {
      const sentence = this.pick(CJK_SENTENCES);
      return this.random() < 0.5 ? sentence : `${sentence} ${this.word()}`;
    }
    // 5 to 40 words, short messages more often than long ones (mean ~17).
    const words = this.words(5 + Math.floor(35 * this.random() ** 2));
    const insert = (piece: string) =>
      words.splice(Math.floor(this.random() * (words.length + 1)), 0, piece);
    if (this.random() < PHRASE_RATE) insert(this.pick(PHRASES));
    // People say what they attach.
    if (withFile && this.random() < 0.3) insert('report');
    if (this.random() < RATES.mention) insert(`<@${this.pick(this.userIds)}>`);
    if (this.random() < RATES.link) {
      insert(`https://docs.example.com/${this.word()}/${Math.floor(this.random() * 1000)}`);
    }
    const text = words.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1) + this.pick(['', '', '.', '?', '!']);
  }

  nextBatch(): Batch {
    const batch: Batch = {
      messages: {
        id: [],
        channelId: [],
        docName: [],
        authorId: [],
        parentId: [],
        text: [],
        fileIds: [],
        createdAt: [],
        receivedAt: [],
        docSeq: [],
      },
      files: {
        id: [],
        channelId: [],
        uploaderId: [],
        name: [],
        contentType: [],
        kind: [],
        extractedText: [],
        messageId: [],
        createdAt: [],
      },
      reactions: { messageId: [], emoji: [], userId: [], reactedAt: [] },
    };
    const end = Math.min(this.made + this.options.batchSize, this.options.messages);
    for (; this.made < end; this.made++) {
      const receivedMs = Math.floor(this.start + (this.made + this.random()) * this.step);
      const receivedAt = new Date(receivedMs).toISOString();
      // Clients' clocks drift: created_at is what the client said, up to 5 s off.
      const createdAt = new Date(receivedMs - Math.floor(this.random() * 5000)).toISOString();
      const id = ulidAt(receivedMs, this.random);
      const channelId = this.pick(this.channelIds);
      const authorId = this.random() < ADA_SHARE ? this.adaId : this.pick(this.userIds);
      const roots = this.recentRoots.get(channelId) ?? [];
      let parentId: string | null = null;
      let docName: string;
      if (roots.length > 0 && this.random() < RATES.reply) {
        parentId = this.pick(roots);
        docName = `channel:${channelId}:thread:${parentId}`;
        const thread = this.threads.get(parentId);
        if (thread) {
          thread.replies++;
          thread.lastReplyId = id;
          thread.lastReplyAt = receivedAt;
        } else {
          this.threads.set(parentId, {
            channelId,
            replies: 1,
            lastReplyId: id,
            lastReplyAt: receivedAt,
          });
        }
        this.counts.replies++;
      } else {
        const topLevel = this.topLevelCounts.get(channelId) ?? 0;
        this.topLevelCounts.set(channelId, topLevel + 1);
        docName = `channel:${channelId}:segment:${Math.floor(topLevel / 500)}`;
        roots.push(id);
        if (roots.length > 8) roots.shift();
        this.recentRoots.set(channelId, roots);
      }
      const fileIds: string[] = [];
      if (this.random() < RATES.file) {
        const fileCount = this.random() < 0.1 ? 2 : 1;
        for (let index = 0; index < fileCount; index++) {
          const fileId = uuidFrom(this.random);
          const type = this.pick(FILE_TYPES);
          fileIds.push(fileId);
          batch.files.id.push(fileId);
          batch.files.channelId.push(channelId);
          batch.files.uploaderId.push(authorId);
          batch.files.name.push(
            `${this.pick(['report', 'notes', 'draft', 'invoice', this.word()])}-${this.word()}.${type.extension}`,
          );
          batch.files.contentType.push(type.contentType);
          batch.files.kind.push(type.kind);
          batch.files.extractedText.push(type.hasText ? this.words(40).join(' ') : null);
          batch.files.messageId.push(id);
          batch.files.createdAt.push(receivedAt);
          this.counts.files++;
        }
      }
      if (this.random() < RATES.reaction) {
        const emoji = this.pick(EMOJIS);
        const reactors = new Set(
          Array.from({ length: 1 + Math.floor(this.random() * 3) }, () => this.pick(this.userIds)),
        );
        for (const userId of reactors) {
          batch.reactions.messageId.push(id);
          batch.reactions.emoji.push(emoji);
          batch.reactions.userId.push(userId);
          batch.reactions.reactedAt.push(receivedAt);
          this.counts.reactions++;
        }
      }
      const messages = batch.messages;
      messages.id.push(id);
      messages.channelId.push(channelId);
      messages.docName.push(docName);
      messages.authorId.push(authorId);
      messages.parentId.push(parentId);
      const text = this.text(fileIds.length > 0);
      messages.text.push(text);
      if (this.readableChannelIds.has(channelId)) {
        for (const word of text.toLowerCase().split(' ')) {
          const rank = this.ranks.get(word);
          if (rank !== undefined)
            this.readableOccurrences[rank] = (this.readableOccurrences[rank] ?? 0) + 1;
        }
      }
      messages.fileIds.push(`{${fileIds.join(',')}}`);
      messages.createdAt.push(createdAt);
      messages.receivedAt.push(receivedAt);
      messages.docSeq.push(this.made + 1);
      this.counts.messages++;
    }
    return batch;
  }

  get done(): boolean {
    return this.made >= this.options.messages;
  }
}

const INSERT_MESSAGES = `INSERT INTO messages
  (id, channel_id, doc_name, author_id, parent_id, text, file_ids, created_at, received_at, doc_seq)
  SELECT id, channel_id, doc_name, author_id, parent_id, text, file_ids::uuid[], created_at,
    received_at, doc_seq
  FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[],
    $8::timestamptz[], $9::timestamptz[], $10::bigint[])
    AS m(id, channel_id, doc_name, author_id, parent_id, text, file_ids, created_at, received_at,
      doc_seq)`;

const INSERT_FILES = `INSERT INTO files
  (id, workspace_id, channel_id, uploader_id, storage_key, name, declared_type, content_type, kind,
    byte_size, sha256, status, processing, extracted_text, message_id, created_at)
  SELECT id, $1, channel_id, uploader_id, 'files/' || id, name, content_type, content_type, kind,
    4096, md5(id::text) || md5(name), 'ready', 'done', extracted_text, message_id, created_at
  FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::timestamptz[])
    AS f(id, channel_id, uploader_id, name, content_type, kind, extracted_text, message_id,
      created_at)`;

const INSERT_REACTIONS = `INSERT INTO reactions (message_id, emoji, user_id, reacted_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::timestamptz[])`;

async function insertBatch(db: Db, workspaceId: string, batch: Batch): Promise<void> {
  const { messages, files, reactions } = batch;
  await db.transaction(async (tx) => {
    await execute(tx, INSERT_MESSAGES, [
      messages.id,
      messages.channelId,
      messages.docName,
      messages.authorId,
      messages.parentId,
      messages.text,
      messages.fileIds,
      messages.createdAt,
      messages.receivedAt,
      messages.docSeq,
    ]);
    if (files.id.length > 0) {
      await execute(tx, INSERT_FILES, [
        workspaceId,
        files.id,
        files.channelId,
        files.uploaderId,
        files.name,
        files.contentType,
        files.kind,
        files.extractedText,
        files.messageId,
        files.createdAt,
      ]);
    }
    if (reactions.messageId.length > 0) {
      await execute(tx, INSERT_REACTIONS, [
        reactions.messageId,
        reactions.emoji,
        reactions.userId,
        reactions.reactedAt,
      ]);
    }
  });
}

/** The workspace, its people and channels, and the searcher's memberships. */
async function insertWorkspace(db: Db, options: DataSetOptions, random: () => number) {
  const workspaceId = uuidFrom(random);
  const userIds = Array.from({ length: options.users }, () => uuidFrom(random));
  const names = ['Bench Searcher', 'Ada Lovelace'];
  const taken = new Set(names);
  while (names.length < options.users) {
    const first = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)];
    const last = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)];
    const name = taken.has(`${first} ${last}`)
      ? `${first} ${last} ${names.length}`
      : `${first} ${last}`;
    taken.add(name);
    names.push(name);
  }
  const channelIds = Array.from({ length: options.channels }, () => uuidFrom(random));
  const isPublic = channelIds.map((_, index) => index % options.publicEvery === 0);
  const publicIds = channelIds.filter((_, index) => isPublic[index]);
  const privateIds = channelIds.filter((_, index) => !isPublic[index]);
  const publicMemberships = Math.floor(options.memberOf / 5);
  const memberChannelIds = [
    ...publicIds.slice(0, publicMemberships),
    ...privateIds.slice(0, options.memberOf - publicMemberships),
  ];
  const [searcherId, adaId] = userIds as [string, string];
  await db.transaction(async (tx) => {
    await execute(
      tx,
      `INSERT INTO users (id, email, name)
        SELECT id, 'user' || n || '@bench.example', name
        FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS u(id, name, n)`,
      [userIds, names],
    );
    await execute(
      tx,
      'INSERT INTO workspaces (id, name, slug, created_by) VALUES ($1, $2, $3, $4)',
      [workspaceId, 'Bench', `bench-${workspaceId.slice(0, 8)}`, searcherId],
    );
    await execute(
      tx,
      `INSERT INTO workspace_members (workspace_id, user_id, role)
        SELECT $1, id, CASE WHEN id = $3 THEN 'owner' ELSE 'member' END::workspace_role
        FROM unnest($2::uuid[]) AS u(id)`,
      [workspaceId, userIds, adaId],
    );
    await execute(
      tx,
      `INSERT INTO channels (id, workspace_id, kind, name, topic, created_by)
        SELECT id, $1, CASE WHEN public THEN 'public' ELSE 'private' END::channel_kind,
          'team-' || n, 'Channel number ' || n, $4
        FROM unnest($2::uuid[], $3::boolean[]) WITH ORDINALITY AS c(id, public, n)`,
      [workspaceId, channelIds, isPublic, adaId],
    );
    await execute(
      tx,
      `INSERT INTO channel_members (channel_id, user_id)
        SELECT id, $2 FROM unnest($1::uuid[]) AS c(id)`,
      [memberChannelIds, searcherId],
    );
  });
  const readableChannelIds = new Set([...publicIds, ...memberChannelIds]);
  return {
    workspaceId,
    userIds,
    channelIds,
    memberChannelIds,
    readableChannelIds,
    searcherId,
    adaId,
  };
}

async function insertThreadStats(db: Db, threads: Map<string, Thread>, batchSize: number) {
  const entries = [...threads];
  for (let start = 0; start < entries.length; start += batchSize) {
    const slice = entries.slice(start, start + batchSize);
    await execute(
      db,
      `INSERT INTO thread_stats (root_id, channel_id, reply_count, last_reply_id, last_reply_at)
        SELECT * FROM unnest($1::text[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[])`,
      [
        slice.map(([rootId]) => rootId),
        slice.map(([, thread]) => thread.channelId),
        slice.map(([, thread]) => thread.replies),
        slice.map(([, thread]) => thread.lastReplyId),
        slice.map(([, thread]) => thread.lastReplyAt),
      ],
    );
  }
}

/** Loads the data set into a migrated database; `progress` hears about every tenth of it. */
export async function generateDataSet(
  db: Db,
  options: DataSetOptions,
  progress: (message: string) => void,
): Promise<DataSet> {
  const started = performance.now();
  const random = seededRandom(options.seed);
  const vocabulary = buildVocabulary(options.vocabularySize, options.zipfExponent, random);
  const workspace = await insertWorkspace(db, options, random);
  const maker = new MessageMaker(
    options,
    vocabulary,
    workspace.channelIds,
    workspace.userIds,
    workspace.adaId,
    workspace.readableChannelIds,
  );
  const tenth = Math.max(1, Math.floor(options.messages / 10));
  let reported = 0;
  // Batches are made in order (replies point back at earlier roots) and inserted by several
  // connections at once, so Postgres uses both cores while this process makes the next batch.
  const worker = async () => {
    while (!maker.done) {
      await insertBatch(db, workspace.workspaceId, maker.nextBatch());
      if (maker.counts.messages - reported >= tenth) {
        reported = maker.counts.messages;
        progress(`${reported} messages (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await insertThreadStats(db, maker.threads, options.batchSize);
  return {
    workspaceId: workspace.workspaceId,
    searcherId: workspace.searcherId,
    adaId: workspace.adaId,
    memberChannelIds: workspace.memberChannelIds,
    vocabulary,
    readableOccurrences: maker.readableOccurrences,
    counts: { ...maker.counts, threads: maker.threads.size },
    loadMs: performance.now() - started,
  };
}
