/**
 * Hand-made JSON Web Signatures, for attacks: any header, any payload (as JSON text, so that
 * it may be malformed), signed with any key by any algorithm — or not at all. Node's crypto
 * signs, so nothing refuses to make a token that a verifier must refuse.
 */
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { JWK } from 'jose';

export const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** Seconds since the epoch, now. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A header and a payload, each as a value (JSON-encoded here) or as raw text. */
export interface JwsParts {
  header: Record<string, unknown> | string;
  payload: Record<string, unknown> | string;
}

const text = (part: Record<string, unknown> | string) =>
  typeof part === 'string' ? part : JSON.stringify(part);

/** The signing input `base64url(header).base64url(payload)`. */
export function signingInput({ header, payload }: JwsParts): string {
  return `${b64url(text(header))}.${b64url(text(payload))}`;
}

/** Signs the input of `parts` with `signer`; the signature part is what `signer` returns. */
export function jws(parts: JwsParts, signer: (input: string) => string): string {
  const input = signingInput(parts);
  return `${input}.${signer(input)}`;
}

/** An HMAC signer (HS256/384/512) with `key`. */
export const hmacSigner =
  (key: string | Buffer, bits: 256 | 384 | 512 = 256) =>
  (input: string): string =>
    createHmac(`sha${bits}`, key).update(input).digest('base64url');

/** An RSASSA-PKCS1-v1_5 (RS256) or RSASSA-PSS (PS256) signer. */
export const rsaSigner =
  (privateKey: KeyObject, padding: 'pkcs1' | 'pss' = 'pkcs1') =>
  (input: string): string =>
    sign('sha256', Buffer.from(input), {
      key: privateKey,
      ...(padding === 'pss' ? { padding: 6, saltLength: 32 } : {}),
    }).toString('base64url');

/** An ECDSA P-256 (ES256) signer, in JOSE's raw r‖s encoding or, wrongly, in DER. */
export const ecSigner =
  (privateKey: KeyObject, encoding: 'ieee-p1363' | 'der' = 'ieee-p1363') =>
  (input: string): string =>
    sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: encoding }).toString(
      'base64url',
    );

/** A key pair, with the public half as a JWK carrying `kid`. */
export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  jwk: JWK;
}

export function rsaKeyPair(kid: string): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return keyPair(privateKey, publicKey, { kid, alg: 'RS256', use: 'sig' });
}

export function ecKeyPair(kid: string): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return keyPair(privateKey, publicKey, { kid, alg: 'ES256', use: 'sig' });
}

function keyPair(privateKey: KeyObject, publicKey: KeyObject, extra: JWK): KeyPair {
  return {
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), ...extra },
  };
}
