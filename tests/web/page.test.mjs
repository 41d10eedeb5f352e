// SPDX-License-Identifier: ISC
// hiroba's web page in headless Chromium (Debian's /usr/bin/chromium, no browser
// download), driven by playwright-core. Started by test_page.py, which runs a real
// hirobad with the demo data of tests/integration/test_http.py and passes:
//   HIROBA_URL        the page, e.g. http://127.0.0.1:PORT/
//   HIROBA_CENTER, HIROBA_NURSERY   the two groups' keys
//   HIROBA_SCREENSHOT optional: save a full-page phone-sized screenshot there
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const URL_ = process.env.HIROBA_URL;
const NURSERY = process.env.HIROBA_NURSERY;
const XSS_TITLE = "<script>alert(1)</script> \"&' 注意";
const XSS_PLACE = '<b>太字</b><img src=x onerror=alert(3)>';

let ctx, page, profile;
const dialogs = [], pageErrors = [], cspViolations = [];

before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hiroba-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    hasTouch: true,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  });
  page = ctx.pages()[0] || await ctx.newPage();
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(URL_, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-ready]', { timeout: 20000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), '1');
});

after(async () => {
  if (ctx) await ctx.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

// Titles of the visible cards of a list.
function visibleTitles(list) {
  return page.$$eval(`#${list} > li:not([hidden]) h3`, (hs) => hs.map((h) => h.textContent));
}

test('the page loads, in Japanese, with the places, events and listings', async () => {
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.equal(await page.textContent('#title'), 'せや子育て応援ひろば');
  assert.equal(await page.textContent('#map-section h2'), '子育て応援マップ');
  const places = await visibleTitles('places');
  for (const p of ['せやの森こども公園', '区役所1階 授乳室', '地域子育て支援拠点 ひろば', XSS_PLACE])
    assert.ok(places.includes(p), `${p} in ${places}`);
  assert.equal(places.length, 4);
  const events = await visibleTitles('events');
  for (const e of ['親子のひろば', '父親向けプログラム「パパと遊ぼう」', 'プレママ・プレパパ教室',
    '子育てフェスタ', '育児講座（中止）', XSS_TITLE])
    assert.ok(events.includes(e), `${e} in ${events}`);
  assert.ok(!events.includes('春のひろば'), 'a past event is not listed');
  const cards = await page.$$eval('#events > li', (ls) => ls.map((l) => l.textContent));
  const card = (t) => cards.find((c) => c.includes(t));
  assert.match(card('親子のひろば'), /残り15名/);
  assert.match(card('パパと遊ぼう'), /満員/);
  assert.match(card('育児講座'), /中止/);
  assert.match(card('子育てフェスタ'), /終日/);
  assert.match(card('親子のひろば'), /次回以降/);
  assert.deepEqual(await visibleTitles('volunteers'), ['絵本の読み聞かせボランティア募集']);
  // the map: Leaflet is there and has a marker per place, even with no tiles at all
  assert.equal(await page.locator('#map.leaflet-container').count(), 1);
  assert.equal(await page.locator('#map path.leaflet-interactive').count(), 4);
});

test('a record whose title holds HTML shows as text', async () => {
  const titles = await visibleTitles('events');
  assert.ok(titles.includes(XSS_TITLE));
  assert.ok((await visibleTitles('places')).includes(XSS_PLACE));
  // nothing was injected: no script, img or b element in the lists, no alert
  for (const sel of ['#events script', '#events img', '#places img', '#places b',
    '#places script', '#volunteers script'])
    assert.equal(await page.locator(sel).count(), 0, sel);
  // open the odd place's popup: Leaflet gets DOM nodes, not HTML
  await page.locator('#places > li', { hasText: '太字' }).click();
  await page.waitForSelector('.leaflet-popup-content h3');
  assert.equal(await page.textContent('.leaflet-popup-content h3'), XSS_PLACE);
  assert.equal(await page.locator('.leaflet-popup-content img, .leaflet-popup-content b').count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});

test('tag filters hide the places that do not match', async () => {
  await page.click('#tag-filters button[data-filter="playground"]');
  assert.equal(await page.getAttribute('#tag-filters button[data-filter="playground"]',
    'aria-pressed'), 'true');
  assert.deepEqual((await visibleTitles('places')).sort(), ['せやの森こども公園', XSS_PLACE].sort());
  assert.equal(await page.locator('#map path.leaflet-interactive').count(), 2);
  assert.equal(await page.locator('#places > li[hidden]', { hasText: '区役所1階' }).count(), 1);
  await page.click('#tag-filters button[data-filter="playground"]');
  await page.click('#tag-filters button[data-filter="nursing"]');
  assert.deepEqual((await visibleTitles('places')).sort(),
    ['区役所1階 授乳室', '地域子育て支援拠点 ひろば'].sort());
  // filters combine: nursing AND stroller access
  await page.click('#tag-filters button[data-filter="stroller"]');
  assert.deepEqual(await visibleTitles('places'), ['区役所1階 授乳室']);
  await page.click('#tag-filters button[data-filter="stroller"]');
  await page.click('#tag-filters button[data-filter="nursing"]');
  assert.equal((await visibleTitles('places')).length, 4);
});

test('category and audience filters hide events', async () => {
  await page.selectOption('#category', 'father');
  assert.deepEqual(await visibleTitles('events'), ['父親向けプログラム「パパと遊ぼう」']);
  await page.selectOption('#category', '');
  await page.selectOption('#audience', 'expecting_parents');
  assert.deepEqual(await visibleTitles('events'), ['プレママ・プレパパ教室']);
  await page.selectOption('#audience', 'fathers');
  assert.deepEqual((await visibleTitles('events')).sort(),
    ['父親向けプログラム「パパと遊ぼう」', 'プレママ・プレパパ教室'].sort());
  await page.selectOption('#audience', '');
  assert.equal((await visibleTitles('events')).length, 6);
});

test('the language switch shows translations, falling back to Japanese', async () => {
  const langs = await page.$$eval('#lang option', (os) => os.map((o) => o.value));
  assert.deepEqual(langs, ['ja', 'en', 'vi']);
  await page.selectOption('#lang', 'en');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('#events-section h2'), 'Upcoming events');
  const events = await visibleTitles('events');
  for (const e of ['Play with Dad', 'Parent and child play space', 'Class for expecting parents',
    'Family festival', '育児講座（中止）', XSS_TITLE])
    assert.ok(events.includes(e), `${e} in ${events}`);
  const places = await visibleTitles('places');
  assert.ok(places.includes("Seya Forest Children's Park"), places.join());
  assert.deepEqual(await visibleTitles('volunteers'), ['Volunteers wanted: reading picture books']);
  // the per-event .ics link follows the language, and answers
  const href = await page.locator('#events > li', { hasText: 'Play with Dad' })
    .locator('a.button').getAttribute('href');
  assert.equal(href, `/events/${NURSERY}/event/papa.ics?lang=en`);
  const r = await page.request.get(new URL(href, URL_).toString());
  assert.equal(r.status(), 200);
  assert.equal(r.headers()['content-type'], 'text/calendar; charset=utf-8');
  assert.match(await r.text(), /SUMMARY;LANGUAGE=en:Play with Dad/);
  await page.selectOption('#lang', 'vi');
  const vi = await visibleTitles('events');
  assert.ok(vi.includes('Không gian chơi cho cha mẹ và con'), vi.join());
  assert.ok(vi.includes('父親向けプログラム「パパと遊ぼう」'), 'no Vietnamese: Japanese');
  await page.selectOption('#lang', 'ja');
  assert.ok((await visibleTitles('events')).includes('親子のひろば'));
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});

test('screenshot', { skip: !process.env.HIROBA_SCREENSHOT }, async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: process.env.HIROBA_SCREENSHOT, fullPage: true });
});
