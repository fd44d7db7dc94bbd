// The JS face in Node: where storage stands (`storageMode`, `profileEvicted`, the
// `storagechange` event), and a grant the shop has on record (`grantConsent` with
// `decidedAt`). Node has no Web Storage, so Shelfwise keeps everything in memory there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise, isShelfwiseError } from '../../dist/node.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 21, 8);

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

test('storage that cannot be reached is memory, said once by storagechange after open, and no eviction is claimed', async () => {
  const shelf = await Shelfwise.open({ namespace: 'storage-face', now: () => NOW });
  const events = [];
  shelf.addEventListener('storagechange', () => events.push([shelf.storageMode, shelf.profileEvicted]));
  await settle();
  assert.deepEqual(events, [['memory', false]], 'heard by a listener added right after open');
  // A grant the shop has on record from a week ago: without readable storage nothing
  // can be known about what was there.
  shelf.grantConsent(['personalization'], { decidedAt: new Date(NOW - 7 * DAY) });
  assert.equal(shelf.consent.personalization, 'granted');
  assert.equal(shelf.consent.decidedMs, NOW - 7 * DAY, 'dated as the shop recorded it');
  assert.equal(shelf.profileEvicted, false);
  assert.ok(shelf.track({ type: 'view', product: { id: 1, category: 'laptops' } }));
  shelf.flush();
  await settle();
  assert.deepEqual(events, [['memory', false]], 'nothing changed, nothing said again');
  shelf.close();
});

test('a recorded grant must be a past time; a bad one throws invalid_argument and changes nothing', async () => {
  const shelf = await Shelfwise.open({ namespace: 'storage-face', now: () => NOW });
  for (const decidedAt of ['yesterday', Number.NaN, -1, Infinity, { valueOf: () => NOW }, NOW + DAY, new Date(Number.NaN)]) {
    assert.throws(
      () => shelf.grantConsent(['personalization'], { decidedAt }),
      (error) => isShelfwiseError(error) && error.code === 'invalid_argument',
      String(decidedAt),
    );
    assert.equal(shelf.consent.personalization, 'unknown', String(decidedAt));
  }
  shelf.grantConsent(['personalization'], { decidedAt: NOW - 1 });
  assert.equal(shelf.consent.decidedMs, NOW - 1);
  shelf.close();
});

test('a refusal made after the recorded grant stands', async () => {
  const shelf = await Shelfwise.open({ namespace: 'storage-face', now: () => NOW });
  shelf.withdrawConsent();
  shelf.grantConsent(['personalization'], { decidedAt: NOW - DAY });
  assert.equal(shelf.consent.personalization, 'denied');
  shelf.grantConsent();
  assert.equal(shelf.consent.personalization, 'granted', 'a grant now wins');
  shelf.close();
});
