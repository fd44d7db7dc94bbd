// The shopper's profile goes with them: passphrase-encrypted exports, each failure with
// its own code, and merging another device's file instead of replacing. Two namespaces
// stand in for two devices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise, isEncryptedExport } from '../../dist/node.js';

let clock = Date.UTC(2026, 11, 1, 12);
const now = () => clock;
const iphone = (id) => ({ id, category: 'electronics/smartphones', brand: 'Apple', price: 999, currency: 'EUR' });
const galaxy = (id) => ({ id, category: 'electronics/smartphones', brand: 'Samsung', price: 899, currency: 'EUR' });
const PASSPHRASE = 'correct horse battery staple';

async function device(namespace, views) {
  const shelf = await Shelfwise.open({ namespace, now });
  shelf.grantConsent();
  for (const product of views) {
    clock += 60_000;
    shelf.track({ type: 'view', product });
  }
  shelf.flush();
  return shelf;
}

const interest = (shelf, facet, value) => shelf.profile.summary().interests.find((i) => i.facet === facet && i.value === value);
/** What a summary shows, without the wording the shop adds. */
const shown = (shelf) => {
  const { interests, ...rest } = shelf.profile.summary();
  return { ...rest, interests: interests.map(({ facet, value, evidence }) => [facet, value, evidence]) };
};

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the promise to reject');
}

test('an encrypted export opens with its passphrase and reveals nothing without it', async () => {
  const phone = await device('enc-phone', [iphone('i1'), iphone('i2'), galaxy('g1')]);
  const file = await phone.profile.export({ passphrase: PASSPHRASE });
  const parsed = JSON.parse(file);
  assert.equal(parsed.format, 'shelfwise-export-encrypted');
  assert.equal(parsed.version, 1);
  assert.deepEqual(Object.keys(parsed), ['format', 'version', 'kdf', 'cipher', 'compression', 'check', 'bytes', 'ciphertext']);
  assert.equal(parsed.kdf.name, 'PBKDF2');
  assert.equal(parsed.kdf.hash, 'SHA-256');
  assert.ok(parsed.kdf.iterations >= 600_000);
  assert.equal(Buffer.from(parsed.kdf.salt, 'base64url').length, 16);
  assert.equal(Buffer.from(parsed.cipher.nonce, 'base64url').length, 12);
  assert.equal(Buffer.from(parsed.ciphertext, 'base64url').length, parsed.bytes);
  // Nothing readable: not in the header, nor in the ciphertext's bytes (words of five
  // letters or more, which random bytes practically never spell).
  const { ciphertext, ...header } = parsed;
  assert.ok(!/Apple|Samsung|smartphones|electronics/.test(JSON.stringify(header)));
  const bytes = Buffer.from(ciphertext, 'base64url').toString('latin1');
  for (const word of ['Apple', 'Samsung', 'smartphones', 'electronics', 'shelfwise-export']) {
    assert.ok(!bytes.includes(word), `${word} is not in the ciphertext`);
  }
  assert.ok(phone.profile.export().includes('Apple'), 'while the plain export names it');
  assert.ok(isEncryptedExport(file));
  assert.ok(!isEncryptedExport(phone.profile.export()));
  // Two exports of the same profile share no salt, nonce or ciphertext.
  const again = JSON.parse(await phone.profile.export({ passphrase: PASSPHRASE }));
  assert.notEqual(again.kdf.salt, parsed.kdf.salt);
  assert.notEqual(again.ciphertext, parsed.ciphertext);

  const laptop = await device('enc-laptop', []);
  await laptop.profile.import(file, { passphrase: PASSPHRASE });
  assert.deepEqual(shown(laptop), shown(phone), 'the other device shows what the phone knew');
  phone.close();
  laptop.close();
});

test('a wrong passphrase, a changed file and a cut one each have their own code and change nothing', async () => {
  const phone = await device('codes-phone', [iphone('i1'), galaxy('g1')]);
  const file = await phone.profile.export({ passphrase: PASSPHRASE });
  const laptop = await device('codes-laptop', [galaxy('g2')]);
  const before = shown(laptop);
  const parsed = JSON.parse(file);
  const flip = (text, at) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  const cases = [
    ['wrong_passphrase', file, 'Tr0ub4dor&3'],
    ['tampered_export', JSON.stringify({ ...parsed, ciphertext: flip(parsed.ciphertext, 20) }), PASSPHRASE],
    ['tampered_export', JSON.stringify({ ...parsed, bytes: parsed.bytes - 1, ciphertext: parsed.ciphertext.slice(0, -2) + 'AA' }), PASSPHRASE],
    ['tampered_export', JSON.stringify({ ...parsed, kdf: { ...parsed.kdf, iterations: 1000 } }), PASSPHRASE],
    ['truncated_export', file.slice(0, Math.floor(file.length / 2)), PASSPHRASE],
    ['truncated_export', JSON.stringify({ ...parsed, ciphertext: parsed.ciphertext.slice(0, -12) }), PASSPHRASE],
  ];
  for (const [code, text, passphrase] of cases) {
    const error = await rejection(laptop.profile.import(text, { passphrase }));
    assert.equal(error.name, 'ShelfwiseError');
    assert.equal(error.code, code, `${code}: ${error.message}`);
    assert.deepEqual(shown(laptop), before, `${code} changes nothing`);
  }
  assert.throws(() => laptop.profile.import(file), { code: 'passphrase_required' });
  await assert.rejects(phone.profile.export({ passphrase: '' }), { code: 'invalid_argument' });
  assert.throws(() => laptop.profile.import(phone.profile.export(), { mode: 'append' }), { code: 'invalid_argument' });
  // A plain export with a passphrase given still imports.
  await laptop.profile.import(phone.profile.export(), { passphrase: PASSPHRASE });
  assert.deepEqual(shown(laptop), shown(phone));
  phone.close();
  laptop.close();
});

test('merging sums both devices, merging again changes nothing, and a round trip counts once', async () => {
  const phone = await device('merge-phone', [iphone('i1'), iphone('i2'), iphone('i3')]);
  const laptop = await device('merge-laptop', [galaxy('g1'), galaxy('g2')]);
  const appleOnPhone = interest(phone, 'brand', 'Apple').evidence;
  assert.equal(appleOnPhone, 3);

  const fromPhone = phone.profile.export();
  await laptop.profile.import(fromPhone, { mode: 'merge' });
  assert.equal(interest(laptop, 'brand', 'Apple').evidence, 3);
  assert.equal(interest(laptop, 'brand', 'Samsung').evidence, 2);
  assert.equal(laptop.profile.summary().events, 5);
  assert.deepEqual(laptop.profile.summary().recentlyViewed, ['g2', 'g1', 'i3', 'i2', 'i1']);
  const once = shown(laptop);
  await laptop.profile.import(fromPhone, { mode: 'merge' });
  assert.deepEqual(shown(laptop), once, 'the same file again changes nothing');

  // The laptop's file carries the phone's views back: they count once on the phone.
  await phone.profile.import(await laptop.profile.export({ passphrase: PASSPHRASE }), { mode: 'merge', passphrase: PASSPHRASE });
  assert.equal(interest(phone, 'brand', 'Apple').evidence, appleOnPhone);
  assert.equal(interest(phone, 'brand', 'Samsung').evidence, 2);
  assert.deepEqual(shown(phone).interests, shown(laptop).interests);
  // And the order on the phone now reflects both devices.
  const ranked = phone.rank([iphone('i9'), { id: 'x', category: 'home', price: 5 }, galaxy('g9')], { strength: 1 });
  assert.equal(ranked.at(-1).product.id, 'x', ranked.map((r) => `${r.product.id} ${r.why}`).join(', '));
  phone.close();
  laptop.close();
});

test('a merge needs consent and a real export', async () => {
  const phone = await device('consent-phone', [iphone('i1')]);
  const stranger = await Shelfwise.open({ namespace: 'consent-stranger', now });
  await assert.rejects(stranger.profile.import(phone.profile.export(), { mode: 'merge' }), { code: 'consent_required' });
  stranger.grantConsent();
  await assert.rejects(stranger.profile.import('{"format":"other"}', { mode: 'merge' }), { code: 'invalid_import' });
  await assert.rejects(stranger.profile.import('not json', { mode: 'merge' }), { code: 'invalid_import' });
  assert.equal(stranger.profile.summary().events, 0);
  phone.close();
  stranger.close();
});
