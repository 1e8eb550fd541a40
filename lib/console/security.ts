// What keeps the console's audit data to the people it was shown to: a secret token (printed at
// start, like Jupyter's) exchanged once for an HttpOnly SameSite=Strict cookie, a Host header
// check against DNS rebinding, and headers that forbid inline scripts, framing and sniffing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { badParameter } from '../errors.js';

export const COOKIE_NAME = 'auditcast_console';

/** 32 random bytes, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A token given by the user: long enough to resist guessing, and safe in a URL. */
export function checkToken(token: string, source: string): string {
  if (!/^[A-Za-z0-9_.~-]{16,256}$/.test(token)) {
    throw badParameter(`${source}: a console token needs 16 to 256 characters from A-Z a-z 0-9 _ . ~ -`);
  }
  return token;
}

/** Compares secrets in constant time (hashes first so lengths do not leak either). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/** Host header values a browser sends for this listen address (names it may use for loopback). */
export function allowedHostHeaders(listenHost: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>([listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost]);
  if (isLoopbackHost(listenHost)) for (const n of ['localhost', '127.0.0.1', '[::1]']) names.add(n);
  for (const n of extra) names.add(n.toLowerCase());
  const allowed = new Set<string>();
  for (const n of names) {
    allowed.add(`${n.toLowerCase()}:${port}`);
    if (port === 80 || port === 443) allowed.add(n.toLowerCase());
  }
  return allowed;
}

/** Cookie header -> value of our cookie ('' when absent). */
export function readCookie(header: string | undefined): string {
  if (!header) return '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE_NAME) return part.slice(eq + 1).trim();
  }
  return '';
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${COOKIE_NAME}=${value}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

/**
 * Sent with every answer: scripts only from our own files (no inline script, no eval), no framing,
 * no sniffing. Styles allow inline: xterm.js sizes its DOM renderer with <style> elements it
 * writes at run time; markup never comes from data (the app sets text only), so no one else can.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};
