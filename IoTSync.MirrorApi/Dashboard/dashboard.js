// The mirror's dashboard: the fleet, one device's state, log and windows, and a command form for
// the operate role, over the mirror's own HTTP API with a bearer token kept in this tab only.
// No framework and no build step: this file is served as it is. Every text from the API goes into
// the page as text (textContent, never innerHTML), and the page's Content-Security-Policy allows
// nothing but this origin.

const API = '/api/v1';
const TOKEN_KEY = 'iotsync.dashboard.token';
// How many of the newest entries of each log the device view shows.
const LOG_ENTRIES = 100;
const CHART_WINDOWS = 30;
// Only when the node serves no event stream: how often the shown view is read again.
const POLL_MS = 3000;
// Events read the shown view again at most this often: a busy fleet's stream costs a read a second, not one per event.
const REFRESH_EVERY_MS = 1000;

const $ = (id) => document.getElementById(id);

const session = { token: null, who: null };
let stream = null;
let poller = null;
let refreshTimer = null;
let lastRefresh = 0;
let renderTicket = 0;

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// The API

async function api(path, options = {}) {
  // Signed out meanwhile (a refresh or an event that fires after sign-out): nothing to ask the mirror,
  // and no request with an empty token for it to refuse.
  if (session.token === null) throw new ApiError(401, 'not signed in');
  const response = await fetch(API + path, {
    ...options,
    cache: 'no-store',
    headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json', ...(options.headers ?? {}) },
  });
  const json = (response.headers.get('content-type') ?? '').includes('json') ? await response.json() : null;
  if (response.status === 401 && session.who !== null) {
    signOut('The mirror no longer accepts this token (revoked or expired): sign in again.');
  }
  if (!response.ok) {
    const field = json?.field ? ` (${json.field})` : '';
    throw new ApiError(response.status, (json?.detail ?? json?.title ?? `HTTP ${response.status}`) + field);
  }
  return json;
}

const device = (id) => `/devices/${encodeURIComponent(id)}`;

// ---------------------------------------------------------------------------------------------
// Building the page: elements and text nodes only

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttributes(node, attributes);
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, String(value));
  }
}

const badge = (word) => el('span', { class: `badge ${word}` }, word);

function ago(unixMs) {
  if (unixMs === null || unixMs === undefined) return el('span', { class: 'muted' }, 'never');
  return el('span', { class: 'ago', title: new Date(unixMs).toLocaleString(), dataset: { at: unixMs } }, agoText(unixMs));
}

function agoText(unixMs) {
  const seconds = Math.max(0, Math.round((Date.now() - unixMs) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(unixMs).toLocaleString();
}

function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 10_000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// An argument vector as a person would type it: words with spaces or quotes quoted.
function shown(argv) {
  return argv.map((word) => (/^[^\s"']+$/.test(word) ? word : JSON.stringify(word))).join(' ');
}

// The form's text as an argument vector: words split at white space, a quoted word kept whole.
// Nothing is expanded: no shell ever sees it.
export function words(text) {
  const result = [];
  let word = null;
  let quote = null;
  for (const ch of text) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== null) result.push(word);
      word = null;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote !== null) throw new Error(`a ${quote} quote is not closed`);
  if (word !== null) result.push(word);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Signing in and out

async function signIn(token) {
  session.token = token;
  try {
    session.who = await api('/whoami');
  } catch (error) {
    session.token = null;
    throw error;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('whoami').textContent = `${session.who.name} (${session.who.role})`;
  $('sign-in').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = false;
  startLive();
  await show();
}

function signOut(message = '') {
  stopLive();
  sessionStorage.removeItem(TOKEN_KEY);
  session.token = null;
  session.who = null;
  $('whoami').textContent = '';
  $('sign-out').hidden = true;
  $('app').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  setLive('off', 'not signed in');
  $('token').value = '';
  $('token').focus();
}

const canOperate = () => session.who !== null && (session.who.role === 'operate' || session.who.role === 'admin');

// ---------------------------------------------------------------------------------------------
// Views: #/ is the fleet, #/devices/ID one device

function route() {
  const match = /^#\/devices\/([a-z0-9_-]{1,64})$/.exec(location.hash);
  return match ? { device: match[1] } : { device: null };
}

async function show() {
  if (session.who === null) return;
  const { device: id } = route();
  $('fleet').hidden = id !== null;
  $('device').hidden = id === null;
  $('command-message').textContent = '';
  await refreshView();
}

async function refreshView() {
  if (session.who === null) return;
  const ticket = ++renderTicket;
  const { device: id } = route();
  try {
    if (id === null) await renderFleet(ticket);
    else await renderDevice(id, ticket);
    if (ticket === renderTicket) $('app-error').textContent = '';
  } catch (error) {
    if (ticket === renderTicket && session.who !== null) $('app-error').textContent = error.message;
  }
}

async function renderFleet(ticket) {
  const list = await api('/devices');
  if (ticket !== renderTicket) return;
  const rows = list.devices.map((d) =>
    el('tr', { dataset: { device: d.device } },
      el('td', {}, el('a', { href: `#/devices/${d.device}` }, d.device)),
      el('td', { class: 'health' }, badge(d.status)),
      el('td', { class: 'last-seen' }, ago(d.lastHeartbeatUnixMs)),
      el('td', { class: 'number window' }, d.lastWindow ? duration(d.lastWindow.durationMs) : '—'),
      el('td', { class: 'number open-commands' }, d.openCommands),
      el('td', { class: 'problem' }, d.problem ?? '')));
  $('fleet-table').tBodies[0].replaceChildren(...rows);
  $('fleet-empty').hidden = rows.length > 0;
}

async function renderDevice(id, ticket) {
  const summary = await api(device(id));
  // The entries before the state: a command read in the log is then either open in the state or resolved.
  const [deviceLog, mirrorLog, windows] = await Promise.all([
    entries(id, 'device', summary.deviceLogLength),
    entries(id, 'mirror', summary.mirrorLogLength),
    api(`${device(id)}/windows?last=${CHART_WINDOWS}`),
  ]);
  const state = await api(`${device(id)}/state`);
  if (ticket !== renderTicket) return;

  $('device-title').textContent = summary.device;
  $('device-summary').replaceChildren(...describe(summary, state, windows));
  $('command-panel').hidden = !canOperate() || summary.disabled;

  const properties = Object.entries(state.properties);
  $('properties').tBodies[0].replaceChildren(...(properties.length === 0
    ? [el('tr', {}, el('td', { colspan: 2, class: 'muted' }, 'none'))]
    : properties.map(([key, value]) => el('tr', {}, el('td', { class: 'mono' }, key), el('td', { class: 'mono' }, value)))));

  $('chart').replaceChildren(chart(windows));
  $('log').tBodies[0].replaceChildren(...logRows([...deviceLog, ...mirrorLog], state));
}

async function entries(id, origin, length) {
  if (length === 0) return [];
  const from = Math.max(1, length - LOG_ENTRIES + 1);
  return (await api(`${device(id)}/entries?origin=${origin}&from=${from}&limit=${LOG_ENTRIES}`)).entries;
}

function describe(summary, state, windows) {
  const item = (term, ...value) => [el('dt', {}, term), el('dd', {}, ...value)];
  return [
    ...item('Health', badge(summary.status), summary.problem ? ` ${summary.problem}` : ''),
    ...item('Last seen', ago(summary.lastHeartbeatUnixMs)),
    ...item('Last window', summary.lastWindow ? `${duration(summary.lastWindow.durationMs)} (window ${summary.lastWindow.number}, ${summary.lastWindow.outcome})` : '—'),
    ...item('Cycle', windows.cyclePeriodMs ? duration(windows.cyclePeriodMs) : '—', ` · ${windows.totalWindows} windows seen`),
    ...item('Logs', `device ${summary.deviceLogLength} · mirror ${summary.mirrorLogLength} · delivered through mirror ${state.deliveredThrough}`),
    ...item('State digest', el('span', { class: 'mono', title: state.view.stateDigest }, state.view.stateDigest.slice(0, 16) + '…')),
    ...item('SSH', el('span', { class: 'mono' }, summary.ssh)),
  ];
}

// Both logs merged, newest first; a command with where it stands and the result that closed it.
function logRows(all, state) {
  const key = (origin, sequence) => `${origin}-${sequence}`;
  const results = new Map(all.filter((e) => e.kind === 'result' && e.target).map((e) => [key(e.target.origin, e.target.sequence), e]));
  const open = new Map(state.openCommands.map((c) => [key(c.origin, c.sequence), c]));
  const ordered = [...all].sort((a, b) => b.wallMs - a.wallMs || b.counter - a.counter || b.origin.localeCompare(a.origin) || b.sequence - a.sequence);
  return ordered.map((entry) => {
    const id = key(entry.origin, entry.sequence);
    const result = entry.kind === 'result' ? entry : results.get(id);
    const status = entry.kind === 'command' ? statusOf(entry, open.get(id), state.deliveredThrough) : null;
    return el('tr', { dataset: { entry: id, kind: entry.kind } },
      el('td', { title: new Date(entry.wallMs).toLocaleString() }, new Date(entry.wallMs).toLocaleTimeString()),
      el('td', {}, `${entry.origin} ${entry.sequence}`),
      el('td', {}, entry.kind),
      el('td', { class: 'mono' }, entry.issuer),
      el('td', { class: 'mono argv' }, entry.kind === 'command' ? shown(entry.argv) : `for ${entry.target?.origin} ${entry.target?.sequence}`),
      el('td', { class: 'status' }, status === null ? '' : badge(status)),
      el('td', { class: 'result' }, result?.result ? describeResult(result.result) : ''));
  });
}

// As the API's command status says it: pending, delivered (the device holds it), resolved, applied (a property operation).
function statusOf(entry, open, deliveredThrough) {
  const property = (entry.argv[0] === 'set' && entry.argv.length === 3) || (entry.argv[0] === 'unset' && entry.argv.length === 2);
  if (open === undefined) return property ? 'applied' : 'resolved';
  if (open.cancelling) return 'cancelling';
  if (entry.origin !== 'mirror') return 'open';
  return entry.sequence <= deliveredThrough ? 'delivered' : 'pending';
}

function describeResult(result) {
  return [
    badge(result.outcome),
    ` exit ${result.exitCode}, ${duration(result.durationMs)}`,
    result.output ? el('pre', {}, result.output + (result.truncated ? '\n[truncated]' : '')) : null,
  ];
}

// The durations of the newest windows as the device measured them, as bars.
function chart(list) {
  const measured = list.windows.filter((w) => w.device !== null);
  if (measured.length === 0) {
    return el('p', { class: 'muted' }, 'No window measured yet: a device reports each window in its next heartbeat.');
  }
  const width = 640;
  const height = 180;
  const left = 56;
  const bottom = 22;
  const top = 10;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const longest = Math.max(1, ...measured.map((w) => w.device.durationMs));
  const step = plotWidth / Math.max(measured.length, 10);
  const bars = measured.map((w, i) => {
    const barHeight = Math.max(1, (w.device.durationMs / longest) * plotHeight);
    return svg('rect', {
      class: 'bar', x: (left + i * step + step * 0.15).toFixed(1), y: (top + plotHeight - barHeight).toFixed(1),
      width: (step * 0.7).toFixed(1), height: barHeight.toFixed(1),
    }, svg('title', {}, `window ${w.device.number}: ${duration(w.device.durationMs)}, usable after ${duration(w.device.usableAfterMs)}, ${w.device.outcome}`));
  });
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `durations of the last ${measured.length} windows` },
    svg('line', { class: 'axis', x1: left, y1: top + plotHeight, x2: width - 8, y2: top + plotHeight }),
    svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: top + plotHeight }),
    svg('text', { x: left - 6, y: top + 10, 'text-anchor': 'end' }, duration(longest)),
    svg('text', { x: left - 6, y: top + plotHeight, 'text-anchor': 'end' }, '0'),
    svg('text', { x: left, y: height - 6 }, `window ${measured[0].device.number}`),
    // The newest window's number too, once the bars leave room for both labels.
    measured.length >= 4
      ? svg('text', { x: left + (measured.length - 1) * step + step * 0.85, y: height - 6, 'text-anchor': 'end' }, `window ${measured.at(-1).device.number}`)
      : null,
    bars);
}

// ---------------------------------------------------------------------------------------------
// The command form

async function submitCommand(event) {
  event.preventDefault();
  const { device: id } = route();
  const message = $('command-message');
  message.className = '';
  let argv;
  try {
    argv = words($('argv').value);
    if (argv.length === 0) throw new Error('type the command and its arguments');
  } catch (error) {
    message.className = 'error';
    message.textContent = error.message;
    return;
  }
  const expires = $('expires').value;
  try {
    const command = await api(`${device(id)}/commands`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(expires ? { argv, expiresInMs: Number(expires) } : { argv }),
    });
    message.dataset.sequence = command.sequence;
    message.textContent = `Left as mirror command ${command.sequence} (${command.status}): the device runs it in its next window.`;
    $('argv').value = '';
    await refreshView();
  } catch (error) {
    message.className = 'error';
    message.textContent = `Refused: ${error.message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Live updates: the node's event stream (server-sent events), read with fetch() because
// EventSource cannot send the bearer token; each event reads the shown view again.

function setLive(mode, text) {
  $('live').dataset.mode = mode;
  $('live').textContent = text;
}

function startLive() {
  stopLive();
  stream = new EventStream(`${API}/events`, onLiveEvent);
  stream.run();
}

function stopLive() {
  stream?.stop();
  stream = null;
  clearInterval(poller);
  poller = null;
}

function onLiveEvent(type, data) {
  if (type === 'open' && data?.complete !== false) return;
  const { device: id } = route();
  // The fleet view shows every device; a device view only its own.
  if (id !== null && type !== 'open' && data?.device !== id) return;
  if (refreshTimer !== null) return;
  // A burst of events (an entry, its command's status, the window) costs one read, soon after the first.
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    lastRefresh = Date.now();
    refreshView();
  }, Math.max(100, lastRefresh + REFRESH_EVERY_MS - Date.now()));
}

class EventStream {
  constructor(url, onEvent) {
    this.url = url;
    this.onEvent = onEvent;
    this.abort = new AbortController();
    this.lastEventId = null;
  }

  stop() {
    this.abort.abort();
  }

  async run() {
    const signal = this.abort.signal;
    let delay = 1000;
    while (!signal.aborted) {
      try {
        const headers = { Authorization: `Bearer ${session.token}`, Accept: 'text/event-stream' };
        if (this.lastEventId !== null) headers['Last-Event-ID'] = this.lastEventId;
        const response = await fetch(this.url, { headers, signal, cache: 'no-store' });
        if (response.status === 401) {
          signOut('The mirror no longer accepts this token (revoked or expired): sign in again.');
          return;
        }
        if (response.status === 404) {
          this.fallBackToPolling();
          return;
        }
        if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
        setLive('events', 'live');
        delay = 1000;
        // What happened while the stream was down: the node replays it after Last-Event-ID, and the view is read again anyway.
        refreshView();
        await this.read(response.body, signal);
      } catch (error) {
        if (signal.aborted) return;
      }
      setLive('reconnecting', 'reconnecting…');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }

  // A node without an event stream (older than its API): the shown view is read again every few seconds instead.
  fallBackToPolling() {
    setLive('polling', `polling every ${POLL_MS / 1000} s (this mirror serves no event stream)`);
    clearInterval(poller);
    poller = setInterval(refreshView, POLL_MS);
  }

  // text/event-stream as the HTML standard parses it: fields per line, an event per blank line.
  async read(body, signal) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    signal.addEventListener('abort', () => reader.cancel().catch(() => {}), { once: true });
    let buffer = '';
    let type = '';
    let data = [];
    let id = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          if (id !== null) this.lastEventId = id;
          if (data.length > 0) this.dispatch(type || 'message', data.join('\n'));
          type = '';
          data = [];
          id = null;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const content = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = content;
        else if (field === 'data') data.push(content);
        else if (field === 'id' && !content.includes('\0')) id = content;
      }
    }
  }

  dispatch(type, text) {
    let data = null;
    try {
      data = JSON.parse(text);
    } catch {
      return;
    }
    this.onEvent(type, data);
  }
}

// ---------------------------------------------------------------------------------------------
// Start

function start() {
  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    try {
      await signIn($('token').value.trim());
    } catch (error) {
      $('sign-in-error').textContent = error.status === 401 ? 'The mirror does not accept this token.' : error.message;
    }
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('command-form').addEventListener('submit', submitCommand);
  window.addEventListener('hashchange', show);
  // "3 s ago" stays true between reads.
  setInterval(() => {
    for (const span of document.querySelectorAll('.ago')) span.textContent = agoText(Number(span.dataset.at));
  }, 1000);

  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept === null) {
    signOut();
    return;
  }
  signIn(kept).catch(() => signOut('Sign in again: the mirror no longer accepts the token this tab kept.'));
}

start();
