import { customType, timestamp } from 'drizzle-orm/pg-core';

/** Raw bytes (Yjs updates, snapshots). node-postgres yields a Buffer and PGlite a Uint8Array; both are Uint8Array. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/** Every timestamp is stored with its zone so that nodes in different zones agree. */
export const timestampTz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const createdAt = () => timestampTz('created_at').notNull().defaultNow();
