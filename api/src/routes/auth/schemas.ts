import { z } from 'zod';
import { idSchema, timestampSchema } from '../../http/response-schemas';
import { lineTextSchema, NUL_MESSAGE, withoutNul } from '../../http/text-schemas';

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .refine(withoutNul, NUL_MESSAGE)
  .pipe(z.email({ error: 'expected an email address' }));

/** Length is counted in characters; long passphrases are welcome (ASVS 5: at least 8, allow 64+). */
export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters')
  .refine(withoutNul, NUL_MESSAGE);

/** Browsers keep the refresh token in an HttpOnly cookie; other clients may ask for it in the body. */
export const tokenTransportSchema = z.enum(['cookie', 'body']).default('cookie');

export const signupSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: lineTextSchema({ min: 1, max: 80 }),
  tokenTransport: tokenTransportSchema,
});

export const loginSchema = z.object({
  email: z.string().max(254).refine(withoutNul, NUL_MESSAGE),
  password: z.string().max(256).refine(withoutNul, NUL_MESSAGE),
  tokenTransport: tokenTransportSchema,
});

export const refreshSchema = z.object({
  refreshToken: z.string().max(200).refine(withoutNul, NUL_MESSAGE).optional(),
});

export const resetRequestSchema = z.object({
  email: z.string().max(254).refine(withoutNul, NUL_MESSAGE),
});

export const resetConfirmSchema = z.object({
  token: z.string().min(1).max(100).refine(withoutNul, NUL_MESSAGE),
  password: passwordSchema,
});

// Responses.

export const publicUserSchema = z.strictObject({
  id: idSchema,
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
});

/** Sign-up, login and refresh. `refreshToken` only with `tokenTransport: "body"`; `user` not on refresh. */
export const tokensSchema = z.strictObject({
  tokenType: z.literal('Bearer'),
  accessToken: z.string(),
  accessTokenExpiresAt: timestampSchema,
  refreshToken: z.string().optional(),
  user: publicUserSchema.optional(),
});

export const meResponseSchema = z.strictObject({ user: publicUserSchema });

export const sessionsResponseSchema = z.strictObject({
  sessions: z.array(
    z.strictObject({
      id: z.string(),
      device: z.string(),
      ip: z.string(),
      createdAt: timestampSchema,
      lastSeenAt: timestampSchema,
      current: z.boolean(),
    }),
  ),
});

export const resetAcceptedSchema = z.strictObject({
  status: z.literal('accepted'),
  message: z.string(),
});

export const ssoProvidersResponseSchema = z.strictObject({
  providers: z.array(z.strictObject({ id: z.string(), name: z.string() })),
});

/** RFC 7517 JWK Set of our Ed25519 signing keys (public halves only). */
export const jwksSchema = z.strictObject({
  keys: z.array(
    z.strictObject({
      kty: z.literal('OKP'),
      crv: z.literal('Ed25519'),
      x: z.string(),
      kid: z.string(),
      alg: z.literal('EdDSA'),
      use: z.literal('sig'),
    }),
  ),
});
