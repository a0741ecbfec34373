import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/errors.ts';
import { authorizeScrape, bearerToken, isLoopback, sameSecret } from '../../../server/metrics/access.ts';

/** The status authorizeScrape answers with: 200 when it lets the scrape through. */
function statusOf(
  token: string,
  authorization: string | undefined,
  address: string | undefined,
  forwardedFor = address,
): number {
  try {
    authorizeScrape({ token, authorization, addresses: [address, forwardedFor] });
    return 200;
  } catch (err) {
    if (err instanceof AppError) return err.status;
    throw err;
  }
}

describe('isLoopback', () => {
  it('accepts 127.0.0.0/8, ::1 and 127.x mapped into IPv6', () => {
    for (const a of [
      '127.0.0.1',
      '127.255.3.4',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      '::FFFF:127.9.9.9',
      '0:0:0:0:0:ffff:127.1.2.3',
      '::ffff:7f00:1',
    ])
      expect(isLoopback(a), a).toBe(true);
  });

  it('refuses every other address, and what is no address at all', () => {
    for (const a of [
      undefined,
      '',
      'localhost',
      '10.0.0.1',
      '192.168.1.20',
      '128.0.0.1',
      '1.127.0.0',
      '::ffff:10.0.0.1',
      '::ffff:128.0.0.1',
      '::2',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      '::127.0.0.1',
      '127.0.0.1.example.com',
      ' 127.0.0.1',
      '127.0.0.1:80',
    ])
      expect(isLoopback(a), String(a)).toBe(false);
  });
});

describe('bearerToken', () => {
  it('reads the credentials of a Bearer header, scheme in any case, spaces around trimmed', () => {
    expect(bearerToken('Bearer abc.def-1')).toBe('abc.def-1');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER   abc  ')).toBe('abc');
    expect(bearerToken('Bearer two words')).toBe('two words');
  });

  it('finds none in a missing, empty or other-scheme header', () => {
    for (const h of [
      undefined,
      '',
      ' ',
      'Bearer',
      'Bearer ',
      'Bearer    ',
      'Bearerabc',
      'Basic YWJjOmRlZg==',
      'abc',
    ])
      expect(bearerToken(h), String(h)).toBeUndefined();
  });
});

describe('sameSecret', () => {
  it('is equality, whatever the lengths', () => {
    expect(sameSecret('s3cret', 's3cret')).toBe(true);
    expect(sameSecret('s3cret', 's3cres')).toBe(false);
    expect(sameSecret('s3cret', 's3cret-longer')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});

describe('authorizeScrape', () => {
  it('with a token, lets only its Bearer header through, from any address', () => {
    expect(statusOf('tok', 'Bearer tok', '10.1.2.3')).toBe(200);
    expect(statusOf('tok', 'Bearer tok', '127.0.0.1')).toBe(200);
    for (const h of [
      undefined,
      '',
      'Bearer',
      'Bearer tok2',
      'Bearer to',
      'Basic dG9r',
      'tok',
      'Bearer tok tok',
    ])
      expect(statusOf('tok', h, '127.0.0.1'), String(h)).toBe(401);
  });

  it('without a token, lets only loopback clients through (403 for others), whatever they send', () => {
    expect(statusOf('', undefined, '127.0.0.1')).toBe(200);
    expect(statusOf('', 'Bearer anything', '::ffff:127.0.0.1')).toBe(200);
    expect(statusOf('', undefined, '::1')).toBe(200);
    expect(statusOf('', undefined, '10.0.0.7')).toBe(403);
    expect(statusOf('', 'Bearer anything', '192.168.0.2')).toBe(403);
    expect(statusOf('', undefined, undefined)).toBe(403);
  });

  it('without a token, needs the socket peer and the proxy-reported client both on loopback', () => {
    // A local reverse proxy forwarding a remote client.
    expect(statusOf('', undefined, '127.0.0.1', '203.0.113.9')).toBe(403);
    // A remote client claiming X-Forwarded-For: 127.0.0.1 to a server that trusts one proxy.
    expect(statusOf('', undefined, '203.0.113.9', '127.0.0.1')).toBe(403);
    expect(statusOf('', undefined, '::ffff:127.0.0.1', '127.0.0.1')).toBe(200);
    expect(() => authorizeScrape({ token: '', authorization: undefined, addresses: [] })).toThrow(AppError);
  });
});
