// SPDX-License-Identifier: ISC
// hiroba's web page in headless Chromium (Debian's /usr/bin/chromium, no browser
// download), driven by playwright-core: a parent's phone (390x844, touch) first, then
// a desktop window (1280x800) in the same browser. Started by test_page.py, which runs a real
// hirobad with the demo data of tests/integration/test_http.py and passes:
//   HIROBA_URL        the page, e.g. http://127.0.0.1:PORT/
//   HIROBA_CENTER, HIROBA_NURSERY   the two groups' keys
//   HIROBA_SCREENSHOT optional: save full-page screenshots there (phone, then the
//                     desktop one with -desktop before the extension)
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
function visibleTitles(list, p = page) {
  return p.$$eval(`#${list} > li:not([hidden]) h3`, (hs) => hs.map((h) => h.textContent));
}

// Is the element entirely inside the first screen, page not scrolled?
async function inFirstScreen(p, loc) {
  const box = await loc.boundingBox();
  const vp = p.viewportSize();
  return box !== null && box.y >= 0 && box.y + box.height <= vp.height &&
    box.x >= 0 && box.x + box.width <= vp.width;
}

// The text of a place card's opening hours.
function hoursOf(p, name) {
  return p.locator('#places > li', { hasText: name }).locator('dd').nth(1).textContent();
}

// What a phone shows before any touch: the next event, and no map yet.
async function firstScreenHasAnEvent(p) {
  assert.equal(await p.evaluate(() => window.scrollY), 0);
  const first = p.locator('#events > li:not([hidden])').first();
  assert.equal(await first.locator('h3').textContent(), '親子のひろば', 'the soonest event first');
  for (const part of ['h3', '.when'])
    assert.ok(await inFirstScreen(p, first.locator(part)), `the first event's ${part} on screen`);
}

test('on a phone the first screen shows the next event; the map is a tab', async () => {
  await firstScreenHasAnEvent(page);
  assert.ok(await page.isVisible('#events-section'));
  assert.ok(!(await page.isVisible('#map-section')), 'the map waits behind its tab');
  assert.ok(!(await page.isVisible('#volunteers-section')));
  assert.equal(await page.getAttribute('.tabs a[href="#events-section"]', 'aria-current'), 'page');
  // the map is built when its tab opens (Leaflet cannot size a hidden map)
  assert.equal(await page.locator('#map.leaflet-container').count(), 0);
  await page.click('.tabs a[href="#map-section"]');
  assert.ok(await page.isVisible('#map'));
  assert.ok(!(await page.isVisible('#events-section')));
  await page.waitForSelector('#map.leaflet-container');
  assert.equal(await page.locator('#map path.leaflet-interactive').count(), 5);
  const box = await page.locator('#map').boundingBox();
  assert.ok(box.width > 300 && box.height > 200, `map is ${box.width}x${box.height}`);
  await page.click('.tabs a[href="#volunteers-section"]');
  assert.deepEqual(await visibleTitles('volunteers'), ['絵本の読み聞かせボランティア募集']);
  assert.ok(await page.isVisible('#volunteers > li'));
  await page.click('.tabs a[href="#map-section"]');
});

test('the page loads, in Japanese, with the places, events and listings', async () => {
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.equal(await page.textContent('#title'), 'せや子育て応援ひろば');
  assert.equal(await page.textContent('#map-section h2'), '子育て応援マップ');
  const places = await visibleTitles('places');
  for (const p of ['せやの森こども公園', '区役所1階 授乳室', '地域子育て支援拠点 ひろば', XSS_PLACE])
    assert.ok(places.includes(p), `${p} in ${places}`);
  assert.equal(places.length, 5);
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
  assert.equal(await page.locator('#map path.leaflet-interactive').count(), 5);
});

test('opening hours read as words, or as given when not understood', async () => {
  assert.equal(await hoursOf(page, 'すくすく'), '月〜土 9:30–16:00\n祝日 休み');
  assert.equal(await hoursOf(page, 'せやの森'), '毎日 9:00–17:00');
  assert.equal(await hoursOf(page, '区役所1階'), '月〜金 8:45–17:00');
  const cases = [
    ['Mo-Sa 09:30-16:00', '月〜土 9:30–16:00', 'Mon–Sat 9:30–16:00'],
    ['Mo,We,Fr 10:00-12:00,13:00-15:30', '月・水・金 10:00–12:00、13:00–15:30',
      'Mon, Wed, Fri 10:00–12:00, 13:00–15:30'],
    ['Mo-Fr 09:00-17:00; Sa,Su,PH off', '月〜金 9:00–17:00\n土・日・祝日 休み',
      'Mon–Fri 9:00–17:00\nClosed on Sat, Sun, public holidays'],
    ['Tu-Th 10:00-15:00, Sa 10:00-12:00', '火〜木 10:00–15:00\n土 10:00–12:00',
      'Tue–Thu 10:00–15:00\nSat 10:00–12:00'],
    ['10:00-18:00', '毎日 10:00–18:00', 'Daily 10:00–18:00'],
    ['24/7', '24時間・年中無休', 'Open 24/7'],
    ['Mo-Fr 08:00-12:00; PH 10:00-12:00', '月〜金 8:00–12:00\n祝日 10:00–12:00',
      'Mon–Fri 8:00–12:00\npublic holidays 10:00–12:00'],
  ];
  for (const [osm, ja, en] of cases) {
    assert.equal(await page.evaluate(([s, l]) => window.hiroba.hoursText(s, l), [osm, 'ja']), ja, osm);
    assert.equal(await page.evaluate(([s, l]) => window.hiroba.hoursText(s, l), [osm, 'en']), en, osm);
  }
  for (const odd of ['Mo-Fr 09:00-17:00; Jan off', 'sunrise-sunset', 'Mo-Fr',
    'Mo-Fr 9時-17時', 'Mo-Fr 10:00-12:00 "予約制"', 'Mo-Fr 25:00-26:00'])
    assert.equal(await page.evaluate((s) => window.hiroba.hoursText(s, 'ja'), odd), odd);
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
  assert.equal((await visibleTitles('places')).length, 5);
});

test('category and audience filters hide events', async () => {
  await page.click('.tabs a[href="#events-section"]');
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

test('a cancelled event offers no calendar link; the others do', async () => {
  const cancelled = page.locator('#events > li', { hasText: '育児講座' });
  assert.match(await cancelled.textContent(), /中止/);
  assert.equal(await cancelled.locator('a').count(), 0);
  assert.doesNotMatch(await cancelled.textContent(), /カレンダーに追加/);
  const links = await page.$$eval('#events > li:not(.is-cancelled)',
    (ls) => ls.map((l) => l.querySelectorAll('a.button').length));
  assert.deepEqual(links, [1, 1, 1, 1, 1]);
});

test('the language switch shows translations, falling back to Japanese', async () => {
  // every language some record carries (Korean only on a place), each named in itself
  const langs = await page.$$eval('#lang option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(langs, [['ja', '日本語'], ['en', 'English'], ['ko', '한국어'],
    ['vi', 'Tiếng Việt']]);
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
  assert.equal(await hoursOf(page, 'Forest'), 'Daily 9:00–17:00');
  assert.equal(await hoursOf(page, 'すくすく'), 'Mon–Sat 9:30–16:00\nClosed on public holidays');
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
  await page.selectOption('#lang', 'ko');
  assert.ok((await visibleTitles('places')).includes('육아 살롱 스쿠스쿠'));
  await page.selectOption('#lang', 'ja');
  assert.ok((await visibleTitles('events')).includes('親子のひろば'));
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});

test('screenshot', { skip: !process.env.HIROBA_SCREENSHOT }, async () => {
  await page.click('.tabs a[href="#events-section"]');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: process.env.HIROBA_SCREENSHOT, fullPage: true });
});

test('on a desktop the events and the map show side by side', async () => {
  const desk = await ctx.newPage();
  const errors = [];
  desk.on('pageerror', (e) => errors.push(String(e)));
  try {
    await desk.setViewportSize({ width: 1280, height: 800 });
    await desk.goto(URL_, { waitUntil: 'domcontentloaded' });
    await desk.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
    await desk.waitForSelector('#map.leaflet-container');
    if (process.env.HIROBA_SCREENSHOT)
      await desk.screenshot({ path: process.env.HIROBA_SCREENSHOT.replace(/(\.\w+)?$/, '-desktop$1') });
    await firstScreenHasAnEvent(desk);
    for (const s of ['#events-section', '#map-section', '#volunteers-section'])
      assert.ok(await desk.isVisible(s), `${s} shown`);
    assert.equal(await desk.locator('.tabs a[aria-current]').count(), 0);
    assert.equal(await desk.locator('#map path.leaflet-interactive').count(), 5);
    const m = await desk.locator('#map').boundingBox();
    assert.ok(m.y + m.height / 2 <= 800, `the map (at ${m.y}) mostly on the first screen`);
    const ev = await desk.locator('#events-section').boundingBox();
    const map = await desk.locator('#map-section').boundingBox();
    assert.ok(map.x >= ev.x + ev.width, 'the map right of the events');
    assert.equal(await hoursOf(desk, 'すくすく'), '月〜土 9:30–16:00\n祝日 休み');
    assert.equal(await desk.locator('#events > li', { hasText: '育児講座' }).locator('a').count(), 0);
    assert.equal((await desk.$$('#lang option')).length, 4);
  } finally {
    await desk.close();
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(pageErrors, []);
});
