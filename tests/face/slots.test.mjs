// The JS face in Node (memory storage): homepage slots with targeting, conditions,
// frequency caps and fallbacks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Shelfwise } from '../../dist/node.js';

const DAY = 86_400_000;
// A Wednesday, 10:00 local time.
let clock = new Date(2026, 5, 3, 10, 0).getTime();
const now = () => clock;

const ITEMS = [
  { id: 'hero-shoes', category: 'shoes/running', priority: 5, slots: ['hero'], capPerDay: 2 },
  { id: 'hero-tech', category: 'laptops', priority: 4, slots: ['hero'] },
  { id: 'night-owl', category: 'laptops', priority: 9, when: { hours: [22, 6] } },
  { id: 'welcome', priority: 3, when: { segments: ['new'] } },
  { id: 'loyalty', priority: 8, when: { segments: ['loyal', 'repeat_customer'] } },
  { id: 'german-sale', priority: 10, when: { locales: ['de'] } },
  { id: 'summer', priority: 7, when: { from: '2026-06-21', until: '2026-09-23' } },
  { id: 'weekend', priority: 7, when: { weekdays: [0, 6] } },
  { id: 'mobile-app', priority: 6, when: { devices: ['mobile'] } },
  { id: 'house-brand', priority: 1, fallback: true },
];

test('slots follow targeting, conditions, caps and fallbacks', async () => {
  const shelf = await Shelfwise.open({ namespace: 'slots', now });
  shelf.grantConsent();
  for (let i = 0; i < 3; i++) shelf.track({ type: 'view', product: { id: `s${i}`, category: 'shoes/running' } });
  const context = { locale: 'en-GB', device: 'desktop' };
  const fill = () => shelf.fillSlots(['hero', 'second', 'third'], ITEMS, { context, strength: 0.8 });

  const first = fill();
  assert.equal(first[0].item.id, 'hero-shoes', 'the running-shoe banner for a shopper looking at running shoes');
  assert.equal(first[0].reason, 'interest');
  assert.match(first[0].why, /shoes|running/i);
  const shown = first.map((c) => c.item?.id);
  for (const never of ['night-owl', 'loyalty', 'german-sale', 'summer', 'weekend', 'mobile-app']) {
    assert.ok(!shown.includes(never), `${never} does not qualify: ${shown}`);
  }
  assert.equal(new Set(shown).size, shown.length, 'no item twice');
  assert.ok(shown.includes('welcome'), 'a new shopper sees the welcome offer');

  // Capped at two a day: the third fill shows the other hero.
  fill();
  assert.equal(fill()[0].item.id, 'hero-tech');
  clock += DAY;
  assert.equal(fill()[0].item.id, 'hero-shoes', 'a new day, a new count');

  // Context changes what qualifies: a German phone at night in summer, on a Saturday.
  clock = new Date(2026, 6, 4, 23, 0).getTime();
  const night = shelf.fillSlots(['a', 'b', 'c', 'd', 'e', 'f'], ITEMS, { context: { locale: 'de-AT', device: 'mobile' }, countImpressions: false });
  const ids = night.map((c) => c.item?.id);
  for (const now of ['night-owl', 'german-sale', 'summer', 'weekend', 'mobile-app']) assert.ok(ids.includes(now), `${now} in ${ids}`);

  // Nothing but the fallback qualifies: it fills the first slot, the rest stay empty.
  const strict = shelf.fillSlots(['x', 'y'], [ITEMS[9], { id: 'never', when: { weekdays: [] , segments: ['lapsed'] } }], { context });
  assert.deepEqual(strict.map((c) => c.item?.id ?? null), ['house-brand', null]);
  assert.equal(strict[1].why, null);

  assert.throws(() => shelf.fillSlots(['x'], [{ id: 1, when: { devices: ['watch'] } }]), { code: 'invalid_product' });
  assert.throws(() => shelf.fillSlots(['x'], [{ id: 1, when: { from: 'someday' } }]), { code: 'invalid_product' });
  assert.throws(() => shelf.fillSlots('hero', ITEMS), { code: 'invalid_argument' });
  shelf.close();
});

test('without consent slots still fill, and nothing is counted', async () => {
  clock = new Date(2026, 5, 3, 10, 0).getTime();
  const shelf = await Shelfwise.open({ namespace: 'slots-anon', now });
  const choice = shelf.fillSlots(['hero'], ITEMS, { context: { locale: 'en', device: 'desktop' } });
  assert.equal(choice[0].item.id, 'hero-shoes', 'the highest priority that qualifies');
  assert.equal(choice[0].reason, 'shop_order');
  assert.equal(shelf.profile.summary().events, 0);
  shelf.close();
});
