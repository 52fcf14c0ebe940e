import { consume, type RateLimits } from './rate-limits';

export interface LoginAttempt {
  /** Trimmed and lower-cased. */
  email: string;
  ip: string;
  /** The device id of a valid device cookie naming this email, when the request carries one. */
  deviceId: string | null;
}

/**
 * Pays for one login attempt before the password is hashed, or refuses it with 429: per IP, per
 * email and IP, and per email from unknown devices or, from a device that signed in to this email
 * before, per device instead (OWASP's device cookies: strangers who spend the account's budget do
 * not lock its owner out). Resolves to the refund to call once the password proved right.
 */
export async function chargeLoginAttempt(
  limits: RateLimits,
  { email, ip, deviceId }: LoginAttempt,
): Promise<() => Promise<void>> {
  const emailIp = `${email}|${ip}`;
  // The IP pays first: a source refused for its own excess spends nothing of the account's budget.
  await consume([
    [limits.loginIp, ip],
    [limits.loginEmailIp, emailIp],
    deviceId ? [limits.loginDevice, deviceId] : [limits.loginEmail, email],
  ]);
  return async () => {
    await Promise.all([
      limits.loginIp.reward(ip, 1),
      // These two count consecutive failures: a success starts them over.
      limits.loginEmailIp.delete(emailIp),
      deviceId ? limits.loginDevice.delete(deviceId) : limits.loginEmail.reward(email, 1),
    ]);
  };
}
