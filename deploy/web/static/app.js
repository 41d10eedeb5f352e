// SPDX-License-Identifier: ISC
/*
 * hiroba's page: the support map, upcoming events and open volunteer listings, read from
 * the daemon's feeds. Records come from other groups: every text goes in with
 * textContent (never innerHTML), and links are built only from checked ids.
 */
'use strict';

(function () {
  var UI = {
    ja: {
      language: '言語', nav_map: 'マップ', nav_events: 'イベント',
      nav_volunteers: 'ボランティア', loading: '読み込み中…',
      load_failed: 'データを読み込めませんでした。しばらくしてから再読み込みしてください。',
      map_heading: '子育て応援マップ', events_heading: 'これからのイベント',
      volunteers_heading: 'ボランティア募集・協力',
      volunteers_note: 'お問い合わせは各団体・地域子育て支援拠点へ。',
      category: '種類', audience: '対象', all: 'すべて',
      subscribe: 'カレンダーに登録（.ics）', add_calendar: 'カレンダーに追加',
      feeds: 'データ', places_count: '{n}か所', events_count: '{n}件',
      volunteers_count: '{n}件', none: '該当するものはありません。',
      no_map: '地図を表示できません。一覧をご覧ください。',
      places_left: '残り{n}名', full: '満員', fee_label: '参加費', cancelled: '中止', free: '無料',
      fee: '{n}円', ages: '{a}〜{b}', months: '{n}か月', years: '{n}歳',
      by: '主催', next_dates: '次回以降', weekly: '毎週', monthly: '毎月',
      wanted: '募集', offered: '協力できます', people: '{n}人',
      area: '地域', skills: 'できること', hours: '開いている時間',
      address: '住所', when: '日時', where: '場所', contact: '連絡先',
      languages: '言語', all_day: '終日', group: 'グループ',
      weekdays: ['月', '火', '水', '木', '金', '土', '日'],
      holidays: '祝日', daily: '毎日', day_range: '{a}〜{b}', day_list: '・',
      span_list: '、', day_off: '{d} 休み', always_open: '24時間・年中無休'
    },
    en: {
      language: 'Language', nav_map: 'Map', nav_events: 'Events',
      nav_volunteers: 'Volunteers', loading: 'Loading…',
      load_failed: 'Could not load the data. Please reload in a moment.',
      map_heading: 'Family support map', events_heading: 'Upcoming events',
      volunteers_heading: 'Volunteering',
      volunteers_note: 'To get in touch, ask the group or the local support center.',
      category: 'Type', audience: 'For', all: 'All',
      subscribe: 'Subscribe (.ics)', add_calendar: 'Add to calendar',
      feeds: 'Data', places_count: '{n} places', events_count: '{n} events',
      volunteers_count: '{n} listings', none: 'Nothing matches.',
      no_map: 'The map cannot be shown. See the list below.',
      places_left: '{n} places left', full: 'Full', fee_label: 'Fee', cancelled: 'Cancelled', free: 'Free',
      fee: '¥{n}', ages: '{a} to {b}', months: '{n} mo', years: '{n} y',
      by: 'By', next_dates: 'Next', weekly: 'Weekly', monthly: 'Monthly',
      wanted: 'Wanted', offered: 'Offered', people: '{n} people',
      area: 'Area', skills: 'Skills', hours: 'Opening hours',
      address: 'Address', when: 'When', where: 'Where', contact: 'Contact',
      languages: 'Languages', all_day: 'All day', group: 'Group',
      weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
      holidays: 'public holidays', daily: 'Daily', day_range: '{a}–{b}', day_list: ', ',
      span_list: ', ', day_off: 'Closed on {d}', always_open: 'Open 24/7'
    }
  };
  UI['ja-x-easy'] = UI.ja;

  var CATEGORIES = {
    pre_parent: ['プレママ・プレパパ', 'For expecting parents'],
    father: ['父親向けプログラム', 'For fathers'],
    play_space: ['親子のひろば', 'Play space'],
    consultation: ['子育て相談', 'Consultation'],
    supporter_training: ['支援者研修', 'Supporter training'],
    network_meeting: ['ネットワーク会議', 'Network meeting'],
    support_system: ['子育てサポートシステム', 'Childcare support system'],
    other_category: ['その他', 'Other']
  };
  var AUDIENCES = {
    expecting_parents: ['妊娠中の方', 'Expecting parents'],
    fathers: ['お父さん', 'Fathers'],
    foreign_families: ['外国につながる家族', 'Families from abroad'],
    grandparents: ['祖父母', 'Grandparents'],
    supporters: ['支援者', 'Supporters'],
    all_families: ['どなたでも', 'All families']
  };
  /* Map filters: a place matches when one of its tags is in the list (value '*' = any
   * value but "no"). Selected filters combine with AND. */
  var TAG_FILTERS = [
    { id: 'playground', label: ['遊び場・公園', 'Playground / park'],
      tags: [['leisure', 'playground'], ['leisure', 'park']] },
    { id: 'nursing', label: ['授乳室・おむつ替え', 'Nursing room / changing table'],
      tags: [['changing_table', '*'], ['baby_feeding', '*'], ['amenity', 'baby_feeding'],
             ['nursing_room', '*']] },
    { id: 'stroller', label: ['ベビーカーOK', 'Stroller access'],
      tags: [['stroller', 'yes'], ['stroller', 'limited'], ['wheelchair', 'yes']] },
    { id: 'childcare', label: ['子育て支援・保育', 'Childcare / support center'],
      tags: [['amenity', 'childcare'], ['amenity', 'kindergarten'],
             ['amenity', 'community_centre']] },
    { id: 'toilets', label: ['トイレ', 'Toilets'],
      tags: [['toilets', '*'], ['amenity', 'toilets']] }
  ];
  var TAG_LABELS = {
    'leisure=playground': ['遊具あり', 'Playground'],
    'leisure=park': ['公園', 'Park'],
    'changing_table=yes': ['おむつ替え台', 'Changing table'],
    'changing_table=limited': ['おむつ替え台（一部）', 'Changing table (limited)'],
    'baby_feeding=yes': ['授乳できます', 'Nursing'],
    'baby_feeding=room': ['授乳室', 'Nursing room'],
    'amenity=baby_feeding': ['授乳室', 'Nursing room'],
    'stroller=yes': ['ベビーカーOK', 'Stroller OK'],
    'stroller=limited': ['ベビーカー一部可', 'Stroller: limited'],
    'stroller=no': ['ベビーカー不可', 'No strollers'],
    'wheelchair=yes': ['車いすOK', 'Wheelchair OK'],
    'amenity=childcare': ['子育て支援', 'Childcare'],
    'amenity=kindergarten': ['幼稚園・保育園', 'Kindergarten'],
    'amenity=community_centre': ['地域の施設', 'Community centre'],
    'toilets=yes': ['トイレ', 'Toilets'],
    'amenity=toilets': ['トイレ', 'Toilets']
  };
  var LANG_NAMES = {
    ja: '日本語', en: 'English', 'ja-x-easy': 'やさしい日本語', zh: '中文',
    'zh-hans': '简体中文', 'zh-hant': '繁體中文', ko: '한국어', vi: 'Tiếng Việt',
    pt: 'Português', es: 'Español', tl: 'Tagalog', ne: 'नेपाली', id: 'Bahasa Indonesia',
    th: 'ไทย', fr: 'Français'
  };
  var HEX = /^[0-9a-f]{64}$/;
  /* The sections in the order of the tabs: on a phone one shows at a time, the events
   * first, because "what is on next" is what a parent opens the page for. */
  var SECTIONS = ['events-section', 'map-section', 'volunteers-section'];
  var PHONE = '(max-width: 799px)';
  var RID = /^[A-Za-z0-9._\/-]{1,71}$/;

  var state = {
    lang: 'ja', config: {}, places: [], events: [], volunteers: [],
    tagOn: {}, category: '', audience: '', map: null, layer: null, markers: {},
    tab: SECTIONS[0], ready: false, mapTried: false
  };

  function $(id) { return document.getElementById(id); }

  function ui(key) {
    var t = UI[state.lang] || UI.en;
    return t[key] !== undefined ? t[key] : UI.ja[key];
  }

  function fmt(key, vars) {
    return String(ui(key)).replace(/\{(\w+)\}/g, function (_, k) {
      return vars && vars[k] !== undefined ? String(vars[k]) : '';
    });
  }

  function isJa() { return state.lang === 'ja' || state.lang === 'ja-x-easy'; }

  function pair(p) { return p ? (isJa() ? p[0] : p[1]) : ''; }

  /* Element helper: el('li', {className: 'x'}, [children or strings]). Strings become
   * text nodes, so nothing from a record is ever parsed as HTML. */
  function el(tag, props, kids) {
    var e = document.createElement(tag);
    var k;
    for (k in props || {}) {
      if (k === 'dataset') Object.assign(e.dataset, props[k]);
      else e[k] = props[k];
    }
    (kids || []).forEach(function (c) {
      if (c === null || c === undefined || c === '') return;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ?
        document.createTextNode(String(c)) : c);
    });
    return e;
  }

  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

  /* The record's text in the chosen language: a translation of that language (or of
   * its base language), else the original (Japanese). */
  function tr(rec, field) {
    var want = state.lang.toLowerCase(), best = null;
    (rec.translations || []).forEach(function (t) {
      var l = String(t.lang || '').toLowerCase();
      if (!t[field]) return;
      if (l === want) best = t;
      else if (!best && l.split('-')[0] === want.split('-')[0] && want !== 'ja') best = t;
    });
    return best ? best[field] : (rec[field] || '');
  }

  function placeName(p) {
    var t = tr({ translations: p.translations, title: p.name }, 'title');
    return t || p.name || '';
  }

  function locale() { return isJa() ? 'ja-JP' : (state.lang === 'en' ? 'en-GB' : state.lang); }

  function dateFmt(opts) {
    var o = Object.assign({ timeZone: 'Asia/Tokyo' }, opts);
    try { return new Intl.DateTimeFormat(locale(), o); }
    catch (e) { return new Intl.DateTimeFormat('en-GB', o); }
  }

  function when(ev, occ) {
    var s = new Date(occ.start * 1000), e = new Date(occ.end * 1000);
    var day = dateFmt({ month: 'long', day: 'numeric', weekday: 'short' });
    if (ev.all_day) {
      var last = new Date(occ.end * 1000 - 1);
      var a = day.format(s), b = day.format(last);
      return (a === b ? a : a + ' – ' + b) + ' ' + ui('all_day');
    }
    var time = dateFmt({ hour: '2-digit', minute: '2-digit', hour12: false });
    return day.format(s) + ' ' + time.format(s) + '–' + time.format(e);
  }

  function ages(rec) {
    if (rec.age_min_months === undefined && rec.age_max_months === undefined) return '';
    function m(n) {
      if (n === undefined) return '';
      return n % 12 === 0 && n > 0 ? fmt('years', { n: n / 12 }) : fmt('months', { n: n });
    }
    return fmt('ages', { a: m(rec.age_min_months), b: m(rec.age_max_months) });
  }

  /* ---- opening hours ----
   * OSM's opening_hours syntax read out as words: "Mo-Sa 09:30-16:00; PH off" becomes
   * 月〜土 9:30–16:00 / 祝日 休み. Only the forms groups actually type are read (day
   * ranges and lists, PH, one or more time spans, off/closed, 24/7, rules split by ";");
   * anything else (month ranges, week numbers, sunrise, comments) is shown exactly as
   * given rather than half-translated, because a wrong opening time is worse than
   * an unfamiliar notation. */

  var OSM_DAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];
  var DAY = '(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)';
  var DAYSEL = new RegExp('^(' + DAY + '(?:-' + DAY + ')?(?:\\s*,\\s*' + DAY + '(?:-' + DAY +
    ')?)*)(?:\\s+|$)');
  var SPAN = /^([01]?\d|2[0-4]):([0-5]\d)\s*-\s*([0-4]?\d):([0-5]\d)$/;

  function dayName(d) {
    return d === 'PH' ? ui('holidays') : ui('weekdays')[OSM_DAYS.indexOf(d)];
  }

  /* "Mo-Fr,Su" → 月〜金・日; null when a range has PH at one end. */
  function daysText(sel) {
    if (/^Mo\s*-\s*Su$/.test(sel)) return ui('daily');
    var parts = sel.split(/\s*,\s*/), out = [], i, r;
    for (i = 0; i < parts.length; i++) {
      r = parts[i].split('-');
      if (r.length === 1) out.push(dayName(r[0]));
      else if (r[0] === 'PH' || r[1] === 'PH') return null;
      else out.push(fmt('day_range', { a: dayName(r[0]), b: dayName(r[1]) }));
    }
    return out.join(ui('day_list'));
  }

  function spanText(t) {
    var m = SPAN.exec(t.trim());
    if (!m || Number(m[3]) > 48) return null;
    return Number(m[1]) + ':' + m[2] + '–' + Number(m[3]) + ':' + m[4];
  }

  function ruleText(rule) {
    var m = DAYSEL.exec(rule), days = null, rest = rule, spans, out = [], i, t;
    if (rule === '24/7') return ui('always_open');
    if (m) {
      if ((days = daysText(m[1])) === null) return null;
      rest = rule.slice(m[0].length).trim();
    }
    if (/^(off|closed)$/.test(rest))
      return days === null ? null : fmt('day_off', { d: days });
    if (rest === '') return null;      /* "Mo-Fr" alone: too easy to misread */
    spans = rest.split(/\s*,\s*/);
    for (i = 0; i < spans.length; i++) {
      if ((t = spanText(spans[i])) === null) return null;
      out.push(t);
    }
    return (days === null ? ui('daily') : days) + ' ' + out.join(ui('span_list'));
  }

  /* One line per rule, or the text as given when any part of it is not understood.
   * A ", " before a day starts a new rule too ("Mo-Fr 09:00-17:00, Sa 10:00-12:00"). */
  function hoursText(s) {
    var src = String(s || '').trim(), rules, lines = [], i, t;
    if (!src) return '';
    rules = src.replace(new RegExp('(\\d|off|closed)\\s*,\\s*(?=' + DAY + '\\b)', 'g'), '$1;')
      .split(/\s*;\s*/);
    for (i = 0; i < rules.length; i++) {
      if (rules[i] === '') continue;
      if ((t = ruleText(rules[i])) === null) return src;
      lines.push(t);
    }
    return lines.length ? lines.join('\n') : src;
  }

  function badge(text, cls) { return el('span', { className: 'badge ' + (cls || '') }, [text]); }

  /* ---- languages ---- */

  /* Japanese and English (the page's own texts), then every language some record has a
   * translation in, by code: an event's, a listing's, a place's (in the GeoJSON they sit
   * in the feature's properties) or the place an event is held at. */
  function collectLangs() {
    var seen = { ja: true, en: true }, more = [];
    function add(trs) {
      (trs || []).forEach(function (t) {
        var l = String(t.lang || '');
        if (/^[A-Za-z0-9-]{1,35}$/.test(l) && !seen[l.toLowerCase()] && t.title) {
          seen[l.toLowerCase()] = true;
          more.push(l);
        }
      });
    }
    state.events.forEach(function (ev) {
      add(ev.translations);
      if (ev.where && ev.where.place) add(ev.where.place.translations);
    });
    state.volunteers.forEach(function (v) { add(v.translations); });
    state.places.forEach(function (p) { add(p.properties && p.properties.translations); });
    more.sort(function (a, b) { return a.toLowerCase() < b.toLowerCase() ? -1 : 1; });
    return ['ja', 'en'].concat(more);
  }

  /* A language's name in itself: our table, else the browser's (Intl.DisplayNames),
   * else the code. */
  function langName(l) {
    var n = LANG_NAMES[l.toLowerCase()];
    if (n) return n;
    try { n = new Intl.DisplayNames([l], { type: 'language' }).of(l); } catch (e) { n = ''; }
    return n && n !== l ? n : l;
  }

  function fillLangs() {
    var sel = $('lang');
    clear(sel);
    collectLangs().forEach(function (l) {
      sel.appendChild(el('option', { value: l }, [langName(l)]));
    });
    sel.value = state.lang;
    if (sel.value !== state.lang) { state.lang = 'ja'; sel.value = 'ja'; }
  }

  function applyUi() {
    document.documentElement.lang = state.lang;
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (e) {
      e.textContent = ui(e.dataset.i18n);
    });
    var ics = $('ics-all');
    ics.href = '/events.ics' + (isJa() ? '' : '?lang=' + encodeURIComponent(state.lang));
  }

  /* ---- map and places ---- */

  function placeTags(p) { return (p.properties && p.properties.tags) || {}; }

  function matchesFilter(tags, f) {
    return f.tags.some(function (kv) {
      var v = tags[kv[0]];
      if (v === undefined) return false;
      return kv[1] === '*' ? v !== 'no' : v === kv[1];
    });
  }

  function placeVisible(p) {
    var tags = placeTags(p);
    return TAG_FILTERS.every(function (f) {
      return !state.tagOn[f.id] || matchesFilter(tags, f);
    });
  }

  function renderTagFilters() {
    var box = $('tag-filters');
    clear(box);
    TAG_FILTERS.forEach(function (f) {
      var b = el('button', { type: 'button', className: 'chip' }, [pair(f.label)]);
      b.dataset.filter = f.id;
      b.setAttribute('aria-pressed', state.tagOn[f.id] ? 'true' : 'false');
      b.addEventListener('click', function () {
        state.tagOn[f.id] = !state.tagOn[f.id];
        renderTagFilters();
        renderPlaces();
      });
      box.appendChild(b);
    });
  }

  function placeDetails(p) {
    var pr = p.properties, kids = [], tags = placeTags(p), k, lab, chips = [];
    for (k in tags) {
      lab = TAG_LABELS[k + '=' + tags[k]];
      if (lab) chips.push(badge(pair(lab), 'tag'));
    }
    kids.push(el('h3', {}, [placeName(pr)]));
    if (chips.length) kids.push(el('p', { className: 'tags' }, chips));
    if (tr(pr, 'description')) kids.push(el('p', { className: 'desc' }, [tr(pr, 'description')]));
    var dl = el('dl', {}, []);
    function row(label, value) {
      if (!value) return;
      dl.appendChild(el('dt', {}, [label]));
      dl.appendChild(el('dd', {}, [value]));
    }
    row(ui('address'), pr.address);
    row(ui('hours'), hoursText(pr.opening_hours));
    row(ui('group'), pr.group);
    if (pr.notes) row('', pr.notes);
    if (ages(pr)) row(ui('audience'), ages(pr));
    kids.push(dl);
    return kids;
  }

  function initMap() {
    var cfg = state.config;
    if (state.mapTried) return;
    state.mapTried = true;
    if (typeof L === 'undefined') {
      $('map').appendChild(el('p', { className: 'nomap' }, [ui('no_map')]));
      return;
    }
    state.map = L.map('map', { scrollWheelZoom: false, tap: true });
    state.map.attributionControl.setPrefix(false);
    if (cfg.tiles) {
      /* Leaflet inserts attribution as HTML: give it the operator's text escaped */
      var esc = String(cfg.attribution || '').replace(/&/g, '&amp;')
        .replace(/</g, '&lt;').replace(/>/g, '&gt;');
      L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: esc }).addTo(state.map);
    }
    state.layer = L.layerGroup().addTo(state.map);
    state.map.setView([35.466, 139.498], 13);
  }

  function markerFor(p) {
    var c = p.geometry && p.geometry.coordinates;
    if (!state.map || !c || c.length < 2) return null;
    var m = L.circleMarker([c[1], c[0]], {
      radius: 10, weight: 2, color: '#b3541e', fillColor: '#f4a259', fillOpacity: 0.9
    });
    m.bindPopup(function () { return el('div', { className: 'popup' }, placeDetails(p)); });
    return m;
  }

  function renderPlaces() {
    var list = $('places'), shown = 0, bounds = [];
    clear(list);
    if (state.layer) state.layer.clearLayers();
    state.places.forEach(function (p) {
      var vis = placeVisible(p), id = p.id || '';
      var li = el('li', { className: 'card place' }, placeDetails(p));
      li.dataset.id = id;
      li.hidden = !vis;
      list.appendChild(li);
      if (!vis) return;
      shown++;
      var m = markerFor(p);
      if (m) {
        m.addTo(state.layer);
        bounds.push(m.getLatLng());
        li.tabIndex = 0;
        li.addEventListener('click', function () {
          state.map.setView(m.getLatLng(), Math.max(state.map.getZoom(), 15));
          m.openPopup();
          $('map').scrollIntoView({ behavior: 'smooth', block: 'center' });
        });
      }
    });
    $('places-count').textContent = shown ? fmt('places_count', { n: shown }) : ui('none');
    if (state.map && bounds.length) {
      state.map.fitBounds(L.latLngBounds(bounds).pad(0.2), { maxZoom: 16 });
    }
  }

  /* ---- events ---- */

  function fillSelect(sel, table, current) {
    clear(sel);
    sel.appendChild(el('option', { value: '' }, [ui('all')]));
    Object.keys(table).forEach(function (k) {
      sel.appendChild(el('option', { value: k }, [pair(table[k])]));
    });
    sel.value = current;
  }

  function icsLink(ev) {
    if (!HEX.test(ev.author || '') || !RID.test(ev.id || '')) return null;
    var href = '/events/' + ev.author + '/' + ev.id + '.ics' +
      (isJa() ? '' : '?lang=' + encodeURIComponent(state.lang));
    return el('a', { className: 'button small', href: href }, [ui('add_calendar')]);
  }

  function eventVisible(ev) {
    if (state.category && ev.category !== state.category) return false;
    if (state.audience && (ev.audience || []).indexOf(state.audience) < 0) return false;
    return true;
  }

  function eventCard(ev) {
    var occ = ev.occurrences || [], first = occ[0], kids = [], meta = [], where = '';
    var head = [badge(pair(CATEGORIES[ev.category]) || ev.category || '', 'cat')];
    if (ev.cancelled) head.push(badge(ui('cancelled'), 'cancelled'));
    if (ev.capacity !== undefined && !ev.cancelled) {
      head.push(ev.places_left > 0 ? badge(fmt('places_left', { n: ev.places_left }), 'left')
        : badge(ui('full'), 'full'));
    }
    kids.push(el('p', { className: 'badges' }, head));
    kids.push(el('h3', { className: ev.cancelled ? 'struck' : '' }, [tr(ev, 'title')]));
    if (first) kids.push(el('p', { className: 'when' }, [when(ev, first)]));
    if (occ.length > 1) {
      var more = occ.slice(1, 5).map(function (o) {
        return dateFmt({ month: 'numeric', day: 'numeric' }).format(new Date(o.start * 1000));
      });
      kids.push(el('p', { className: 'more' },
        [ui('next_dates') + ': ' + more.join(', ') + (occ.length > 5 ? ' …' : '')]));
    }
    if (tr(ev, 'description')) kids.push(el('p', { className: 'desc' }, [tr(ev, 'description')]));
    if (ev.where) {
      where = ev.where.text || (ev.where.place ? placeName(ev.where.place) : '');
      if (ev.where.place && ev.where.place.address && where !== ev.where.place.address)
        where += '（' + ev.where.place.address + '）';
    }
    var dl = el('dl', {}, []);
    function row(label, value) {
      if (!value) return;
      dl.appendChild(el('dt', {}, [label]));
      dl.appendChild(el('dd', {}, [value]));
    }
    row(ui('where'), where);
    row(ui('audience'), (ev.audience || []).map(function (a) {
      return pair(AUDIENCES[a]) || a;
    }).join('、') + (ages(ev) ? ' ' + ages(ev) : ''));
    if (ev.fee_yen !== undefined)
      row(ui('fee_label'), ev.fee_yen === 0 ? ui('free') : fmt('fee', { n: ev.fee_yen }));
    row(ui('languages'), (ev.languages || []).map(function (l) {
      return LANG_NAMES[String(l).toLowerCase()] || l;
    }).join(', '));
    row(ui('contact'), ev.contact);
    row(ui('by'), ev.group);
    kids.push(dl);
    /* a cancelled event still shows (people planned on it) but is not offered for
     * the calendar: adding it there would be adding a mistake */
    var link = ev.cancelled ? null : icsLink(ev);
    if (link) kids.push(el('p', {}, [link]));
    var li = el('li', { className: 'card event' + (ev.cancelled ? ' is-cancelled' : '') }, kids);
    li.dataset.id = (ev.author || '') + '/' + (ev.id || '');
    li.dataset.category = ev.category || '';
    return li;
  }

  function renderEvents() {
    var list = $('events'), shown = 0;
    clear(list);
    state.events.forEach(function (ev) {
      var li = eventCard(ev);
      li.hidden = !eventVisible(ev);
      if (!li.hidden) shown++;
      list.appendChild(li);
    });
    $('events-count').textContent = shown ? fmt('events_count', { n: shown }) : ui('none');
  }

  /* ---- volunteers ---- */

  function windowText(w) {
    var parts = [], days = [], i;
    if (w.weekdays) {
      for (i = 0; i < 7; i++) if (w.weekdays & (1 << i)) days.push(ui('weekdays')[i]);
      parts.push(days.join(isJa() ? '・' : ', '));
    }
    function hm(m) { return Math.floor(m / 60) + ':' + ('0' + (m % 60)).slice(-2); }
    if (w.from_minute !== undefined || w.to_minute !== undefined)
      parts.push(hm(w.from_minute || 0) + '–' + hm(w.to_minute === undefined ? 1440 : w.to_minute));
    if (w.start) parts.push(dateFmt({ month: 'numeric', day: 'numeric' }).format(new Date(w.start * 1000)) +
      (w.end ? '–' + dateFmt({ month: 'numeric', day: 'numeric' }).format(new Date(w.end * 1000)) : ''));
    return parts.join(' ');
  }

  function renderVolunteers() {
    var list = $('volunteers');
    clear(list);
    state.volunteers.forEach(function (v) {
      var kids = [el('p', { className: 'badges' },
        [badge(ui(v.kind === 'offered' ? 'offered' : 'wanted'), v.kind)])];
      kids.push(el('h3', {}, [tr(v, 'title')]));
      if (tr(v, 'description')) kids.push(el('p', { className: 'desc' }, [tr(v, 'description')]));
      var dl = el('dl', {}, []);
      function row(label, value) {
        if (!value) return;
        dl.appendChild(el('dt', {}, [label]));
        dl.appendChild(el('dd', {}, [value]));
      }
      row(ui('skills'), (v.skills || []).join('、'));
      row(ui('area'), v.area);
      row(ui('when'), (v.windows || []).map(windowText).join(' / '));
      if (v.people) row('', fmt('people', { n: v.people }));
      row(ui('by'), v.group);
      kids.push(dl);
      var li = el('li', { className: 'card volunteer' }, kids);
      li.dataset.id = (v.author || '') + '/' + (v.id || '');
      list.appendChild(li);
    });
    $('volunteers-count').textContent = state.volunteers.length ?
      fmt('volunteers_count', { n: state.volunteers.length }) : ui('none');
  }

  /* ---- tabs (phones) ----
   * Below 800px the three sections are tabs, the events first. The map is built only
   * when its tab is first opened: Leaflet cannot size a map in a hidden box, and a
   * parent who came for the next event does not download tiles. Without script the
   * tabs are plain links to the sections, all of them shown. */

  function tabbed() { return document.body.classList.contains('tabbed'); }

  function showTab(id) {
    if (SECTIONS.indexOf(id) < 0) id = SECTIONS[0];
    state.tab = id;
    SECTIONS.forEach(function (s) {
      $(s).classList.toggle('off', tabbed() && s !== id);
    });
    Array.prototype.forEach.call(document.querySelectorAll('.tabs a'), function (a) {
      if (tabbed() && a.getAttribute('href') === '#' + id) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    if (state.ready && (!tabbed() || id === 'map-section')) showMap();
  }

  function showMap() {
    if (!state.mapTried) {
      initMap();
      renderPlaces();
    } else if (state.map) {
      state.map.invalidateSize();
    }
  }

  function initTabs() {
    var mq = window.matchMedia ? window.matchMedia(PHONE) : null;
    function mode() {
      document.body.classList.toggle('tabbed', !!(mq && mq.matches));
      showTab(state.tab);
    }
    if (mq && mq.addEventListener) mq.addEventListener('change', mode);
    else if (mq && mq.addListener) mq.addListener(mode);
    Array.prototype.forEach.call(document.querySelectorAll('.tabs a'), function (a) {
      a.addEventListener('click', function (e) {
        if (!tabbed()) return;
        e.preventDefault();
        showTab(a.getAttribute('href').slice(1));
        try { window.history.replaceState(null, '', a.getAttribute('href')); } catch (x) { /* */ }
        window.scrollTo(0, 0);
      });
    });
    state.tab = window.location.hash.slice(1) || SECTIONS[0];
    mode();
  }

  /* ---- all of it ---- */

  function renderAll() {
    applyUi();
    renderTagFilters();
    fillSelect($('category'), CATEGORIES, state.category);
    fillSelect($('audience'), AUDIENCES, state.audience);
    renderPlaces();
    renderEvents();
    renderVolunteers();
    if (state.config.title) {
      $('title').textContent = state.config.title;
      document.title = state.config.title;
    }
    $('group').textContent = state.config.group ? state.config.group : '';
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return r.json();
    });
  }

  function start() {
    var saved = null;
    try { saved = window.localStorage.getItem('hiroba.lang'); } catch (e) { /* private mode */ }
    var q = /[?&]lang=([A-Za-z0-9-]{1,35})/.exec(window.location.search);
    state.lang = q ? q[1] : (saved || 'ja');
    $('lang').addEventListener('change', function (e) {
      state.lang = e.target.value;
      try { window.localStorage.setItem('hiroba.lang', state.lang); } catch (x) { /* */ }
      renderAll();
    });
    $('category').addEventListener('change', function (e) {
      state.category = e.target.value;
      renderEvents();
    });
    $('audience').addEventListener('change', function (e) {
      state.audience = e.target.value;
      renderEvents();
    });
    initTabs();
    Promise.all([getJSON('/config.json'), getJSON('/map.geojson'),
      getJSON('/events.json'), getJSON('/volunteers.json')]).then(function (r) {
      state.config = r[0] || {};
      state.places = (r[1] && r[1].features) || [];
      state.events = (r[2] && r[2].events) || [];
      state.volunteers = r[3] || [];
      /* soonest first, whatever order the feed came in */
      state.events.sort(function (a, b) {
        var x = a.occurrences && a.occurrences[0], y = b.occurrences && b.occurrences[0];
        return (x ? x.start : Infinity) - (y ? y.start : Infinity);
      });
      state.ready = true;
      fillLangs();
      renderAll();
      showTab(state.tab);
      $('status').hidden = true;
      document.body.dataset.ready = '1';
    }).catch(function (err) {
      $('status').textContent = ui('load_failed');
      $('status').className = 'status error';
      document.body.dataset.ready = 'error';
      if (window.console) console.error(err);
    });
  }

  /* for the page's tests, and for anyone reusing the reading of opening hours */
  window.hiroba = {
    hoursText: function (s, lang) {
      var keep = state.lang;
      state.lang = lang || keep;
      try { return hoursText(s); } finally { state.lang = keep; }
    }
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
