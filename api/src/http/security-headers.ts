import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

export interface SecurityHeadersOptions {
  /** Where users reach Confab: `https:` means TLS ends in front of us (without a trusted proxy). */
  publicUrl: string;
  /** Behind a load balancer: it tells the scheme in X-Forwarded-Proto. */
  trustProxy: boolean;
}

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Headers on every response. The CSP's `frame-ancestors 'none'` forbids framing; X-Frame-Options
 * says the same (DENY, not SAMEORIGIN) for browsers that predate it. Powerful features the app
 * never uses are switched off for it and any frame (Permissions-Policy); clipboard writes stay
 * for the copy buttons. HSTS goes only on answers that travelled over https, as RFC 6797 asks.
 */
export function securityHeaders({
  publicUrl,
  trustProxy,
}: SecurityHeadersOptions): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      connectSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      styleSrc: ["'self'", "'unsafe-inline'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
    },
    // Cross-origin isolation headers would block images and files served from S3/CloudFront.
    crossOriginEmbedderPolicy: false,
    xFrameOptions: 'DENY',
    strictTransportSecurity: false,
    permissionsPolicy: {
      accelerometer: [],
      ambientLightSensor: [],
      autoplay: [],
      battery: [],
      bluetooth: [],
      browsingTopics: [],
      camera: [],
      clipboardRead: [],
      clipboardWrite: ['self'],
      displayCapture: [],
      encryptedMedia: [],
      geolocation: [],
      gyroscope: [],
      hid: [],
      idleDetection: [],
      magnetometer: [],
      microphone: [],
      midi: [],
      payment: [],
      serial: [],
      usb: [],
      xrSpatialTracking: [],
    },
  });
  const httpsOnly = new URL(publicUrl).protocol === 'https:';
  return async (c, next) => {
    await headers(c, next);
    if (arrivedOverHttps(c, trustProxy, httpsOnly))
      c.res.headers.set('Strict-Transport-Security', HSTS);
  };
}

function arrivedOverHttps(c: Context, trustProxy: boolean, httpsOnly: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (!trustProxy) return httpsOnly;
  // The last value is the one our load balancer wrote; anything before it came from the client.
  const proto = c.req.header('x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase();
  return proto === 'https';
}
