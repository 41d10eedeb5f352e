// SPDX-License-Identifier: ISC
// The coordinators' console in headless Chromium (Debian's /usr/bin/chromium) at tablet
// size, driven by playwright-core. Started by test_console_page.py, which runs a center
// and a nursery (with [console]) and passes:
//   HIROBA_CONSOLE   the nursery's console, e.g. http://127.0.0.1:PORT/
//   HIROBA_USER, HIROBA_PASSWORD   an account made with `hiroba console user add`
//   HIROBA_MEETING   "AUTHORHEX/ID" of a meeting the center called, inviting the nursery
//   HIROBA_DAY3, HIROBA_DAY10, HIROBA_DAY40   dates (YYYY-MM-DD, Asia/Tokyo) ahead
//   HIROBA_CENTER_CONSOLE, HIROBA_NEW_KEY, HIROBA_NEW_FPR   the center's console, and
//                    the key and fingerprint of a group it is to admit
//   HIROBA_PICKED    a file to write the point clicked on the map into ({lat, lon})
//   HIROBA_CONTACT   the contact the nursery's volunteer request carries (sealed)
//   HIROBA_CSV       a CSV of map entries in CP932, as Excel in Japan saves one
//   HIROBA_REPORT    a file to save the report's CSV the center's console gave into
// The Python side then checks every result through the CLI of the other daemon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.HIROBA_CONSOLE;
let ctx, page, profile;
const pageErrors = [], cspViolations = [];

before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hiroba-console-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 820, height: 1180 },     // a tablet, upright
    hasTouch: true,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  });
  page = ctx.pages()[0] || await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspViolations.push(m.text());
  });
});

after(async () => {
  if (ctx) await ctx.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

test('no session: the sign-in page, in Japanese', async () => {
  await page.goto(BASE + 'events');
  assert.match(page.url(), /\/signin$/);
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  assert.equal(await page.textContent('h1'), 'サインイン');
});

test('a wrong password is refused, the right one signs in', async () => {
  await page.fill('#user', process.env.HIROBA_USER);
  await page.fill('#password', 'not-the-password');
  await page.click('form.box button');
  assert.match(await page.textContent('#error'), /名前かパスワードが違います/);
  assert.equal(await page.inputValue('#user'), process.env.HIROBA_USER);
  // the slow-down after a failure: wait it out as a person would, then sign in
  for (let i = 0; i < 20; i++) {
    await page.fill('#password', process.env.HIROBA_PASSWORD);
    await page.click('form.box button');
    if (/\/events/.test(page.url())) break;
    await page.waitForTimeout(500);
  }
  assert.match(page.url(), /\/events/);
  const cookies = await ctx.cookies();
  const c = cookies.find((x) => x.name.startsWith('hb_console_'));
  assert.ok(c && c.httpOnly && c.sameSite === 'Strict');
});

test('a weekly play space with a date it skips, refused first for a missing end date', async () => {
  await page.click('text=＋ イベントを追加');
  await page.fill('#title', '親子のひろば（ブラウザ）');
  await page.fill('[id="when.start"]', process.env.HIROBA_DAY3 + ' 10:00');
  await page.fill('[id="when.end"]', '12:00');
  await page.selectOption('#category', 'play_space');
  await page.check('[id="audience-all_families"]');
  await page.selectOption('#repeat', 'weekly');
  await page.fill('#exceptions', process.env.HIROBA_DAY10);
  await page.click('form.box button');
  assert.match(await page.textContent('[id="err-recurrence.until"]'), /--weekly needs --until DATE/);
  // what was typed is still there
  assert.equal(await page.inputValue('#title'), '親子のひろば（ブラウザ）');
  assert.ok(await page.isChecked('[id="audience-all_families"]'));
  await page.fill('[id="recurrence.until"]', process.env.HIROBA_DAY40);
  await page.click('form.box button');
  assert.match(page.url(), /\/events\?done=1/);
  assert.match(await page.textContent('main'), /親子のひろば（ブラウザ）/);
});

test("the center's meeting is answered", async () => {
  await page.click('header >> text=会議');
  assert.match(await page.textContent('main'), /招待されています/);
  await page.check('input[name="attending"][value="1"]');
  await page.fill('input[name="count"]', '3');
  await page.click('main form button');
  assert.match(await page.textContent('#done'), /返事を公開しました/);
  assert.match(await page.textContent('.answer'), /出席 \(3\)/);
});

test('a map entry placed by clicking the map, with tags ticked and typed', async () => {
  await page.click('header >> text=地図の場所');
  await page.click('text=＋ 場所を追加');
  await page.fill('#name', 'どんぐり山公園（ブラウザ）');
  // typed coordinates bring the map there (and still work without it) ...
  await page.fill('[id="point.lat"]', '35.4689');
  await page.fill('[id="point.lon"]', '139.4957');
  await page.press('[id="point.lon"]', 'Tab');
  await page.waitForSelector('#map .leaflet-marker-icon');
  // ... and a tap on the map, right of the marker and above it, moves the point there
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2 + 120, box.y + box.height / 2 - 60);
  await page.waitForSelector('#map[data-picked]');
  const lat = Number(await page.inputValue('[id="point.lat"]'));
  const lon = Number(await page.inputValue('[id="point.lon"]'));
  assert.ok(lon > 139.4957 && lon < 139.4957 + 0.01, `lon ${lon}`);
  assert.ok(lat > 35.4689 && lat < 35.4689 + 0.01, `lat ${lat}`);
  fs.writeFileSync(process.env.HIROBA_PICKED, JSON.stringify({ lat, lon }));
  await page.check('[id="tag-leisure=playground"]');
  await page.check('[id="tag-changing_table=yes"]');
  await page.fill('#tags', 'stroller=limited');
  await page.click('form.box button');
  assert.match(page.url(), /\/places\?done=1/);
  assert.match(await page.textContent('main'), /changing_table=yes stroller=limited/);
});

test('a volunteer request with a contact sealed to the center', async () => {
  await page.click('header >> text=ボランティア');
  await page.click('text=＋ 掲載を追加');
  await page.selectOption('#kind', 'wanted');
  await page.fill('#title', '絵本の読み聞かせ（ブラウザ）');
  await page.fill('#skills', '読み聞かせ');
  await page.fill('#area', '瀬谷区');
  await page.fill('#contact', process.env.HIROBA_CONTACT);
  await page.click('form.box button');
  assert.match(page.url(), /\/volunteers\?done=1/);
});

test("a spreadsheet of Excel's (CP932): previewed, then published", async () => {
  await page.click('header >> text=イベント');
  await page.click('text=表計算の CSV から一括で取り込む');
  await page.setInputFiles('#file', { name: '施設一覧.csv', mimeType: 'text/csv',
    buffer: fs.readFileSync(process.env.HIROBA_CSV) });
  await page.click('form.box button');
  assert.match(await page.textContent('#preview'), /新規/);
  assert.match(await page.textContent('#summary'), /would import 1 \(1 new/);
  await page.click('#publish');
  assert.match(await page.textContent('#done'), /取り込みました/);
});

let p2;
test('at the center: admit a group after reading its fingerprint back', async () => {
  p2 = await ctx.newPage();    // the same browser, another tab
  p2.on('pageerror', (e) => pageErrors.push(String(e)));
  p2.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspViolations.push(m.text());
  });
  await p2.goto(process.env.HIROBA_CENTER_CONSOLE + 'signin');
  await p2.fill('#user', process.env.HIROBA_USER);
  await p2.fill('#password', process.env.HIROBA_PASSWORD);
  await p2.click('form.box button');
  assert.match(p2.url(), /\/events/);
  await p2.click('header >> text=ネットワーク');
  await p2.click('text=グループを承認する');
  await p2.fill('#key', process.env.HIROBA_NEW_KEY);
  await p2.fill('#name', 'どんぐりサークル');
  await p2.selectOption('#kind', 'circle');
  await p2.click('form.box button');
  assert.equal(await p2.textContent('#fingerprint'), process.env.HIROBA_NEW_FPR);
  await p2.click('form.box button');
  assert.match(p2.url(), /\/network\?done=1/);
  assert.match(await p2.textContent('#roster'), /どんぐりサークル/);
});

test("at the center: record a match from the suggestions", async () => {
  const C = process.env.HIROBA_CENTER_CONSOLE;
  // the nursery's request reaches the center by sync: look again until it is there
  for (let i = 0; i < 60; i++) {
    await p2.goto(C + 'matches');
    if (/絵本の読み聞かせ（ブラウザ）/.test(await p2.textContent('main'))) break;
    await p2.waitForTimeout(500);
  }
  const box = p2.locator('div.match', { hasText: '絵本の読み聞かせ（ブラウザ）' });
  assert.match(await box.textContent(), /読み聞かせボランティア（センター）/);
  await box.locator('input[name="note"]').first().fill('初回は来週');
  await box.locator('button').first().click();
  assert.match(await p2.textContent('#done'), /マッチを記録しました/);
  assert.match(await p2.locator('div.match', { hasText: '絵本の読み聞かせ（ブラウザ）' })
    .textContent(), /記録済み: 成立/);
});

test("at the center: read the request's contact, for a purpose", async () => {
  await p2.goto(process.env.HIROBA_CENTER_CONSOLE + 'volunteers?all=1');
  const row = p2.locator('tr', { hasText: '絵本の読み聞かせ（ブラウザ）' });
  await row.locator('text=連絡先を読む').click();
  await p2.fill('#purpose', 'マッチの連絡（ブラウザ）');
  await p2.click('form.box button');
  assert.equal(await p2.textContent('#contact'), process.env.HIROBA_CONTACT);
});

test("at the center: the year's report, and its CSV for Excel", async () => {
  await p2.click('header >> text=事業報告');
  assert.match(await p2.textContent('#report'), /ひまわり保育園/);
  const [dl] = await Promise.all([p2.waitForEvent('download'), p2.click('#csv')]);
  const file = await dl.path();
  const bytes = fs.readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(bytes.toString('utf8'), /\r\n/);
  fs.copyFileSync(file, process.env.HIROBA_REPORT);
  await p2.close();
});

test("the network's support map: every group's entries as markers", async () => {
  await page.click('header >> text=ネットワーク');
  await page.click('text=応援マップ（全グループ）');
  await page.waitForSelector('#allmap .leaflet-marker-icon');
  const items = await page.locator('#places li').count();
  assert.ok(items >= 2, `${items} entries`);
  assert.equal(await page.locator('#allmap .leaflet-marker-icon').count(), items);
});

test('English, and no script error or CSP violation anywhere', async () => {
  await page.click('header >> text=地図の場所');
  await page.click('header >> text=English');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.textContent('h1'), "This group's map entries");
  await page.click('header >> text=Network');
  assert.match(await page.textContent('#roster'), /ひまわり保育園/);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});
