import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';

export const REFRESH_COOKIE = 'confab_refresh';
/** Sent only to the auth routes, never with every API call. */
const REFRESH_COOKIE_PATH = '/api/auth';

/** HttpOnly (no script reads it), Secure, SameSite=Lax (not sent on cross-site POSTs). */
export function setRefreshCookie(c: Context, refreshToken: string, expiresAt: Date): void {
  setCookie(c, REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    path: REFRESH_COOKIE_PATH,
    expires: expiresAt,
  });
}

export function clearRefreshCookie(c: Context): void {
  deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, secure: true });
}
