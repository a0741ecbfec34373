import { generateKeyPairSync } from 'node:crypto';

/** A key pair in the formats OpenSSH reads: PEM private key, one-line public key. */
export interface SshKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

/**
 * Generates an ECDSA P-256 key pair for OpenSSH without shelling out to ssh-keygen (the server
 * host may not have it). OpenSSH reads SEC1 PEM private keys; the public key is its wire format:
 * string "ecdsa-sha2-nistp256", string "nistp256", string Q (uncompressed point).
 */
export function generateSshKeyPair(comment: string): SshKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  const blob = Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(point)]);
  return {
    privateKey: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicKey: `ecdsa-sha2-nistp256 ${blob.toString('base64')} ${comment}`,
  };
}

function sshString(value: string | Buffer): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}
