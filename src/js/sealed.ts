/**
 * Passphrase-encrypted exports, with WebCrypto: loaded only when a page asks for one
 * (`profile.export({ passphrase })`, `profile.import(file, { passphrase })`).
 *
 * ```json
 * { "format": "shelfwise-export-encrypted", "version": 1,
 *   "kdf": { "name": "PBKDF2", "hash": "SHA-256", "iterations": 600000, "salt": "<16 bytes>" },
 *   "cipher": { "name": "AES-GCM", "length": 256, "nonce": "<12 bytes>" },
 *   "compression": "deflate-raw", "check": "<16 bytes>", "bytes": 1234,
 *   "ciphertext": "<base64url>" }
 * ```
 *
 * PBKDF2-SHA-256 derives 384 bits from the passphrase and the salt: the AES-GCM-256 key,
 * and a check value stored in the header, so a wrong passphrase is told apart from a
 * changed file (it lets a guess be tested no faster than decrypting would). The header,
 * as written, is the cipher's additional data: a header edited in any other way fails
 * as tampering. `bytes` is the ciphertext's length, so a file cut short says so.
 * @module
 */

import { inputError } from './wasm/shelfwise.js';

export const SEALED_FORMAT = 'shelfwise-export-encrypted';
export const SEALED_VERSION = 1;
/** OWASP's figure for PBKDF2-SHA-256 (2023): the least a file is written or read with. */
export const MIN_ITERATIONS = 600_000;
/** The most a file may ask for (about 20 s on a phone), so a file cannot stall a page. */
const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const CHECK_BYTES = 16;
const TAG_BYTES = 16;

type Bytes = Uint8Array<ArrayBuffer>;

interface Header {
  format: string;
  version: number;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; length: 256; nonce: string };
  compression?: 'deflate-raw';
  check: string;
  bytes: number;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: unknown, bytes?: number): Bytes | null {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return bytes === undefined || out.length === bytes ? out : null;
}

async function derive(passphrase: string, salt: Bytes, iterations: number): Promise<{ key: CryptoKey; check: Bytes }> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material, 8 * (32 + CHECK_BYTES)));
  const key = await crypto.subtle.importKey('raw', bits.subarray(0, 32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { key, check: bits.slice(32) };
}

/** The bytes through a (de)compression stream. */
async function transform(bytes: Bytes, stream: CompressionStream | DecompressionStream): Promise<Bytes> {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** The header as the cipher authenticates it: its fields in this order. */
function additionalData(header: Header): Bytes {
  const { format, version, kdf, cipher, compression, check, bytes } = header;
  return new TextEncoder().encode(JSON.stringify({ format, version, kdf, cipher, compression, check, bytes }));
}

function checkPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw inputError('argument', 'passphrase must be a non-empty string');
  }
}

/** `plain` (an export's JSON text) encrypted with `passphrase`, as the file's JSON text. */
export async function seal(plain: string, passphrase: string, iterations = MIN_ITERATIONS): Promise<string> {
  checkPassphrase(passphrase);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const { key, check } = await derive(passphrase, salt, iterations);
  let data: Bytes = new TextEncoder().encode(plain);
  // Compressed where the engine can (every current one): the file fits fewer QR codes.
  const compression = typeof CompressionStream === 'function' ? 'deflate-raw' : undefined;
  if (compression) data = await transform(data, new CompressionStream(compression));
  const header: Header = {
    format: SEALED_FORMAT,
    version: SEALED_VERSION,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: base64url(salt) },
    cipher: { name: 'AES-GCM', length: 256, nonce: base64url(nonce) },
    ...(compression ? { compression } : {}),
    check: base64url(check),
    bytes: data.length + TAG_BYTES,
  };
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: additionalData(header) }, key, data),
  );
  return JSON.stringify({ ...header, ciphertext: base64url(sealed) });
}

/**
 * The export's JSON text inside an encrypted file. Throws `truncated_export` for a file
 * cut short, `wrong_passphrase`, and `tampered_export` for any other change.
 */
export async function unseal(text: string, passphrase: string): Promise<string> {
  checkPassphrase(passphrase);
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // It starts as one: a JSON text that does not end is a file cut short.
    throw inputError('truncated', 'the file ends before its end');
  }
  const { kdf, cipher, compression, check, bytes, ciphertext } = file as Partial<Header> & { ciphertext?: unknown };
  if (file.version !== SEALED_VERSION) throw inputError('import', 'this encrypted export\'s version is not supported (expected 1)');
  const tampered = () => inputError('tampered', 'the file was changed after it was made');
  const iterations = kdf?.iterations;
  const salt = fromBase64url(kdf?.salt, SALT_BYTES);
  const nonce = fromBase64url(cipher?.nonce, NONCE_BYTES);
  const expected = fromBase64url(check, CHECK_BYTES);
  if (
    kdf?.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || cipher?.name !== 'AES-GCM' || cipher.length !== 256 ||
    !Number.isSafeInteger(iterations) || (iterations as number) < MIN_ITERATIONS || (iterations as number) > MAX_ITERATIONS ||
    !salt || !nonce || !expected || (compression !== undefined && compression !== 'deflate-raw') ||
    !Number.isSafeInteger(bytes) || (bytes as number) <= TAG_BYTES
  ) {
    throw tampered();
  }
  const sealed = fromBase64url(ciphertext);
  if (!sealed) throw tampered();
  if (sealed.length < (bytes as number)) throw inputError('truncated', `the file holds ${sealed.length} of its ${bytes} encrypted bytes`);
  if (sealed.length > (bytes as number)) throw tampered();
  const { key, check: derived } = await derive(passphrase, salt, iterations as number);
  if (derived.some((byte, i) => byte !== expected[i])) throw inputError('wrongPassphrase', 'this passphrase does not open the file');
  const header = { format: SEALED_FORMAT, version: SEALED_VERSION, kdf, cipher, compression, check, bytes } as Header;
  let data: Bytes;
  try {
    data = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: additionalData(header) }, key, sealed));
    if (compression) data = await transform(data, new DecompressionStream(compression));
  } catch {
    throw tampered();
  }
  return new TextDecoder().decode(data);
}
