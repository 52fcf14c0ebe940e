import { createHash, randomUUID } from 'node:crypto';
import { type BlobStore, type Db, schema } from '@confab/db';

export interface FileOwner {
  workspaceId: string;
  channelId: string;
  uploaderId: string;
}

/** A workspace, a public channel and a user to own test files (rows only, no membership). */
export async function seedFileOwner(db: Db): Promise<FileOwner> {
  const suffix = randomUUID().slice(0, 8);
  const [user] = await db
    .insert(schema.users)
    .values({ email: `uploader-${suffix}@example.com`, name: 'Uploader' })
    .returning({ id: schema.users.id });
  const [workspace] = await db
    .insert(schema.workspaces)
    .values({ name: 'Files', slug: `files-${suffix}` })
    .returning({ id: schema.workspaces.id });
  if (!user || !workspace) throw new Error('seed rows missing');
  const [channel] = await db
    .insert(schema.channels)
    .values({ workspaceId: workspace.id, kind: 'public', name: `files-${suffix}` })
    .returning({ id: schema.channels.id });
  if (!channel) throw new Error('seed channel missing');
  return { workspaceId: workspace.id, channelId: channel.id, uploaderId: user.id };
}

/** A promoted upload as the upload route leaves it: bytes under files/<id>, row 'ready', 'pending'. */
export async function seedReadyFile(
  { db, blobs }: { db: Db; blobs: BlobStore },
  owner: FileOwner,
  file: { kind: schema.FileKind; contentType: string; bytes: Uint8Array; name?: string },
): Promise<string> {
  const id = randomUUID();
  const storageKey = `files/${id}`;
  await blobs.put(storageKey, file.bytes, { contentType: file.contentType });
  await db.insert(schema.files).values({
    id,
    ...owner,
    storageKey,
    name: file.name ?? 'file',
    declaredType: file.contentType,
    contentType: file.contentType,
    kind: file.kind,
    inline: file.kind === 'image',
    byteSize: file.bytes.length,
    sha256: createHash('sha256').update(file.bytes).digest('hex'),
    status: 'ready',
    processing: 'pending',
  });
  return id;
}
