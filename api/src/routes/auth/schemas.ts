import { z } from 'zod';

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'expected an email address' }));

/** Length is counted in characters; long passphrases are welcome (ASVS 5: at least 8, allow 64+). */
export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

/** Browsers keep the refresh token in an HttpOnly cookie; other clients may ask for it in the body. */
export const tokenTransportSchema = z.enum(['cookie', 'body']).default('cookie');

export const signupSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1, 'is required').max(80),
  tokenTransport: tokenTransportSchema,
});

export const loginSchema = z.object({
  email: z.string().max(254),
  password: z.string().max(256),
  tokenTransport: tokenTransportSchema,
});

export const refreshSchema = z.object({
  refreshToken: z.string().max(200).optional(),
});

export const resetRequestSchema = z.object({ email: z.string().max(254) });

export const resetConfirmSchema = z.object({
  token: z.string().min(1).max(100),
  password: passwordSchema,
});
