import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const DEVICE_COOKIE = 'confab_device';
/** Read only by sign-in and sign-up. */
const DEVICE_COOKIE_PATH = '/api/auth';

/** HttpOnly, Secure and SameSite=Strict: only our own pages' sign-ins ever carry it. */
export function setDeviceCookie(c: Context, value: string, expiresAt: Date): void {
  setCookie(c, DEVICE_COOKIE, value, {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: DEVICE_COOKIE_PATH,
    expires: expiresAt,
  });
}

export const deviceCookie = (c: Context): string | undefined => getCookie(c, DEVICE_COOKIE);
