import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSshKeyPair } from '../../../server/env/keys.ts';

describe('generateSshKeyPair', () => {
  it('produces a SEC1 PEM private key and the matching OpenSSH public key line', () => {
    const pair = generateSshKeyPair('root@env');
    expect(pair.privateKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    const [type, blob, comment] = pair.publicKey.split(' ');
    expect(type).toBe('ecdsa-sha2-nistp256');
    expect(comment).toBe('root@env');
    const wire = Buffer.from(blob ?? '', 'base64');
    // string "ecdsa-sha2-nistp256" (4+19), string "nistp256" (4+8), string Q (4+65)
    expect(wire.length).toBe(4 + 19 + 4 + 8 + 4 + 65);
    const q = wire.subarray(wire.length - 65);
    const jwk = createPublicKey(createPrivateKey(pair.privateKey)).export({ format: 'jwk' });
    expect(q.subarray(1, 33).toString('base64url')).toBe(jwk.x);
    expect(q.subarray(33).toString('base64url')).toBe(jwk.y);
  });

  it('makes a different key every time', () => {
    expect(generateSshKeyPair('a').publicKey).not.toBe(generateSshKeyPair('a').publicKey);
  });
});
