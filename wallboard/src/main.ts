// Wallboard entry point: wires the feed, the 1 s tick, alarms, sound and the
// DOM together. All decisions live in the pure modules; this file only holds
// the page's state and calls them.

import './style.css';
import type { History, Snapshot } from '../../server/contract.ts';
import { acknowledge, initialAlarmState, stepAlarms, type AlarmState } from './alarms.ts';
import { Charts, currentUnit } from './charts.ts';
import { Feed, type FeedMessage, type FeedStatus } from './feed.ts';
import { browserSocket } from './reconnecting.ts';
import { hhmmss } from './format.ts';
import { dictionaries } from './i18n.ts';
import { parseParams } from './params.ts';
import { mount, renderAlarms, renderBoard, renderSound, renderStatus } from './render.ts';
import { hourSeries, intervalBars, pushLive, type LivePoint } from './series.ts';
import { Beeper } from './sound.ts';
import { freshness, isTrusted, tickSeconds, type Connection } from './stale.ts';
import { statusView } from './status.ts';
import { buildView } from './view.ts';

const params = parseParams(window.location.search);
const t = dictionaries[params.lang];
document.documentElement.lang = t.locale;

const app = document.getElementById('app');
if (!app) throw new Error('#app missing');
const ui = mount(app, t, params.queue != null);
const charts = new Charts(ui.hourChart, ui.todayChart, t);
const beeper = new Beeper();

let snapshot: Snapshot | null = null;
let receivedAt = 0;
let history: History | null = null;
let live: LivePoint[] = [];
let lastMessageAt: number | null = null;
let connection: Connection = 'connecting';
let retryAt: number | null = null;
let alarms: AlarmState = initialAlarmState();
let soundOn = params.sound;

function frame(): void {
  const now = Date.now();
  const fresh = freshness(now, lastMessageAt, connection);
  const offset = snapshot ? snapshot.serverTime - receivedAt : 0;
  renderStatus(ui, statusView(fresh, retryAt, now, t, params.lang), hhmmss(now + offset));
  if (!snapshot) return;

  const view = buildView(snapshot, params.queue, tickSeconds(now, receivedAt), t, params.lang);
  if (view.title) document.title = `${view.title} — ${t.appName}`;
  renderBoard(ui, view, t, currentUnit());

  // Old figures must not raise (or re-raise) alarms: unknown freezes them.
  const step = stepAlarms(alarms, now, isTrusted(fresh) ? view.indicators : {});
  alarms = step.state;
  renderAlarms(ui, step.flashing);
  if (soundOn && step.started.length > 0) beeper.beep();
}

function refreshCharts(): void {
  if (!snapshot) return;
  // History is center-wide, so its bars are judged against the center's target.
  const target = snapshot.serviceLevel.target;
  charts.update(hourSeries(history, live, Date.now()), intervalBars(history, target), target, snapshot.colours.serviceLevel.amberFrom);
}

function onMessage(msg: FeedMessage): void {
  const now = Date.now();
  lastMessageAt = now;
  if (msg.type === 'snapshot') {
    snapshot = msg.snapshot;
    receivedAt = now;
    const before = live;
    live = pushLive(live, {
      at: snapshot.serverTime,
      serviceLevel: snapshot.center.rolling.serviceLevel,
      waiting: snapshot.center.waiting,
    });
    if (live !== before) refreshCharts();
  } else {
    history = msg.history;
    refreshCharts();
  }
  frame();
}

function onStatus(s: FeedStatus): void {
  switch (s.kind) {
    case 'connecting':
      connection = 'connecting';
      retryAt = null;
      break;
    case 'open':
      connection = 'open';
      retryAt = null;
      break;
    case 'closed':
      connection = 'closed';
      retryAt = s.retryAt;
      break;
    case 'denied':
      connection = 'denied';
      retryAt = s.retryAt;
      break;
  }
  frame();
}


const feed = new Feed({
  location: window.location,
  token: params.token,
  fetchTicket: (url, init) => fetch(url, { ...init, cache: 'no-store', credentials: 'same-origin' }),
  openSocket: browserSocket,
  setTimer: (fn, ms) => window.setTimeout(fn, ms),
  clearTimer: (h) => window.clearTimeout(h as number),
  now: () => Date.now(),
  random: Math.random,
  onMessage,
  onStatus,
});

// --- controls -------------------------------------------------------------

function ack(): void {
  alarms = acknowledge(alarms);
  frame();
}

function toggleSound(): void {
  soundOn = !soundOn;
  if (soundOn) beeper.unlock();
  renderSound(ui, soundOn, t);
}

ui.ack.addEventListener('click', () => {
  beeper.unlock();
  ack();
});
ui.sound.addEventListener('click', toggleSound);
ui.root.addEventListener('click', (ev) => {
  if (soundOn) beeper.unlock();
  if ((ev.target as HTMLElement | null)?.closest('.tile.flash')) ack();
});
window.addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === 's' || ev.key === 'S') {
    toggleSound();
    return;
  }
  // Any other key (a TV remote's OK, Enter, Space…) acknowledges.
  if (soundOn) beeper.unlock();
  if (ev.key !== 'Shift' && ev.key !== 'Tab') ack();
});

let resizeTimer = 0;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    // Lists are trimmed to fit; a new size needs a fresh trim.
    for (const el of [ui.queues, ui.calls, ui.abandons]) delete el.dataset.src;
    charts.resize();
    frame();
  }, 150);
});

renderSound(ui, soundOn, t);
feed.start();
frame();
// Tick on each new second so waits and the clock advance together.
let lastSecond = 0;
window.setInterval(() => {
  const s = Math.floor(Date.now() / 1000);
  if (s !== lastSecond) {
    lastSecond = s;
    frame();
  }
}, 200);
