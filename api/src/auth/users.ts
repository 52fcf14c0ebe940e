import { type Db, schema } from '@confab/db';
import { eq, sql } from 'drizzle-orm';

export type User = typeof schema.users.$inferSelect;

/** The public view of a user: never the password hash. */
export function publicUser(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerifiedAt !== null,
  };
}

export class EmailTaken extends Error {
  override name = 'EmailTaken';
}

export class Users {
  constructor(private readonly db: Db) {}

  async findByEmail(email: string): Promise<User | undefined> {
    const [user] = await this.db
      .select()
      .from(schema.users)
      .where(sql`lower(${schema.users.email}) = lower(${email})`);
    return user;
  }

  async findById(id: string): Promise<User | undefined> {
    const [user] = await this.db.select().from(schema.users).where(eq(schema.users.id, id));
    return user;
  }

  async create(values: {
    email: string;
    name: string;
    passwordHash: string | null;
    emailVerified?: boolean;
  }) {
    try {
      const [user] = await this.db
        .insert(schema.users)
        .values({
          email: values.email,
          name: values.name,
          passwordHash: values.passwordHash,
          emailVerifiedAt: values.emailVerified ? new Date() : null,
        })
        .returning();
      if (!user) throw new Error('insert returned no row');
      return user;
    } catch (error) {
      if (
        (error as { code?: string; cause?: { code?: string } }).cause?.code === '23505' ||
        (error as { code?: string }).code === '23505'
      ) {
        throw new EmailTaken();
      }
      throw error;
    }
  }

  async setPasswordHash(id: string, passwordHash: string) {
    await this.db
      .update(schema.users)
      .set({ passwordHash, updatedAt: new Date() })
      .where(eq(schema.users.id, id));
  }
}
