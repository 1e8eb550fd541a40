// The audit log: filters in the URL (so a view can be shared and reloaded), a table of one page,
// forward and back through Teleport's page keys, and the full JSON of an event on click.
import { getJson } from './api.js';
import { clear, formatTime, h } from './dom.js';

type Fields = Record<string, unknown>;

interface Filters {
  types: string;
  user: string;
  from: string;
  to: string;
  q: string;
  limit: string;
}

const SUMMARY_FIELDS = ['login', 'server_hostname', 'addr.remote', 'command', 'path', 'db_query', 'query', 'method', 'name', 'error', 'message', 'kubernetes_cluster', 'db_service', 'app_name', 'resource_name', 'size'];

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A short line of the fields people look for first, whatever the event type. */
export function summarize(e: Fields): string {
  const parts: string[] = [];
  for (const k of SUMMARY_FIELDS) {
    const v = e[k];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    parts.push(`${k}=${str(v)}`);
    if (parts.length === 4) break;
  }
  if (e.success === false) parts.unshift('FAILED');
  return parts.join(' ').slice(0, 200);
}

function toInputTime(iso: string): string {
  return iso ? iso.slice(0, 16) : '';
}

function fromInputTime(value: string): string {
  return value ? new Date(`${value}:00Z`).toISOString() : '';
}

export function renderAuditPage(root: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  const filters: Filters = {
    types: params.get('types') ?? '', user: params.get('user') ?? '', from: params.get('from') ?? '',
    to: params.get('to') ?? '', q: params.get('q') ?? '', limit: params.get('limit') ?? '50',
  };
  /** Keys of the pages before the current one; the current page's own start key last. */
  const keys: string[] = [];
  let startKey = '';
  let nextKey = '';

  const typeInput = h('input', { name: 'types', placeholder: 'session.start,user.login', value: filters.types, id: 'f-types' });
  const userInput = h('input', { name: 'user', placeholder: 'user', value: filters.user, id: 'f-user' });
  const fromInput = h('input', { name: 'from', type: 'datetime-local', value: toInputTime(filters.from), id: 'f-from' });
  const toInput = h('input', { name: 'to', type: 'datetime-local', value: toInputTime(filters.to), id: 'f-to' });
  const textInput = h('input', { name: 'q', type: 'search', placeholder: 'free text', value: filters.q, id: 'f-q' });
  const limitInput = h('select', { name: 'limit', id: 'f-limit' }, ...['25', '50', '100', '500'].map((n) => h('option', { value: n, selected: n === filters.limit }, n)));
  const form = h('form', { class: 'filters', id: 'audit-filters' },
    h('label', {}, 'Type ', typeInput), h('label', {}, 'User ', userInput), h('label', {}, 'From (UTC) ', fromInput),
    h('label', {}, 'To (UTC) ', toInput), h('label', {}, 'Text ', textInput), h('label', {}, 'Per page ', limitInput),
    h('button', { type: 'submit' }, 'Search'));
  const status = h('p', { class: 'status', id: 'audit-status' });
  const tbody = h('tbody', { id: 'audit-rows' });
  const table = h('table', { class: 'grid', id: 'audit-table' },
    h('thead', {}, h('tr', {}, ...['Time', 'Type', 'Code', 'User', 'Session', 'Summary'].map((c) => h('th', {}, c)))), tbody);
  const prev = h('button', { type: 'button', id: 'page-prev', disabled: true }, '← Newer');
  const next = h('button', { type: 'button', id: 'page-next', disabled: true }, 'Older →');
  const pageNo = h('span', { id: 'page-no' }, '1');
  const detail = h('section', { class: 'detail', id: 'event-detail', hidden: true });
  root.append(h('h1', {}, 'Audit log'), form, status, h('div', { class: 'table-wrap' }, table), h('div', { class: 'pager' }, prev, pageNo, next), detail);

  function showDetail(e: Fields): void {
    clear(detail);
    const json = JSON.stringify(e, null, 2);
    const copy = h('button', { type: 'button', id: 'copy-json' }, 'Copy JSON');
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(json).then(() => { copy.textContent = 'Copied'; }, () => { copy.textContent = 'Copy failed'; });
    });
    const close = h('button', { type: 'button' }, 'Close');
    close.addEventListener('click', () => { detail.hidden = true; });
    detail.append(h('div', { class: 'detail-head' }, h('strong', {}, str(e.event)), copy, close), h('pre', { id: 'event-json' }, json));
    detail.hidden = false;
  }

  async function load(): Promise<void> {
    status.textContent = 'Loading…';
    prev.disabled = true;
    next.disabled = true;
    try {
      const page = await getJson<{ events: Fields[]; lastKey: string }>('/api/events', {
        types: filters.types.replace(/\s+/g, ''), user: filters.user, q: filters.q, limit: filters.limit, order: 'desc',
        from: filters.from || '1970-01-01T00:00:00Z', to: filters.to || undefined, startKey: startKey || undefined,
      });
      clear(tbody);
      for (const e of page.events) {
        const sid = str(e.sid);
        const row = h('tr', { tabindex: 0, 'data-uid': str(e.uid) },
          h('td', { class: 'nowrap' }, formatTime(str(e.time))), h('td', {}, str(e.event)), h('td', {}, str(e.code)),
          h('td', { class: 'user' }, str(e.user)),
          h('td', { class: 'sid' }, sid ? h('a', { href: `/sessions/${encodeURIComponent(sid)}` }, sid.slice(0, 8)) : ''),
          h('td', { class: 'summary' }, summarize(e)));
        row.addEventListener('click', (ev) => {
          if ((ev.target as Element).closest('a')) return;
          showDetail(e);
        });
        row.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') showDetail(e); });
        tbody.append(row);
      }
      nextKey = page.lastKey;
      status.textContent = page.events.length === 0 ? 'No events match.' : `${page.events.length} events`;
      pageNo.textContent = String(keys.length + 1);
      prev.disabled = keys.length === 0;
      next.disabled = !nextKey;
    } catch (err) {
      status.textContent = `Error: ${(err as Error).message}`;
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filters.types = typeInput.value.trim();
    filters.user = userInput.value.trim();
    filters.from = fromInputTime(fromInput.value);
    filters.to = fromInputTime(toInput.value);
    filters.q = textInput.value.trim();
    filters.limit = limitInput.value;
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v && !(k === 'limit' && v === '50')) search.set(k, v);
    history.replaceState(null, '', `/audit${search.toString() ? `?${search}` : ''}`);
    keys.length = 0;
    startKey = '';
    void load();
  });
  next.addEventListener('click', () => {
    keys.push(startKey);
    startKey = nextKey;
    void load();
  });
  prev.addEventListener('click', () => {
    startKey = keys.pop() ?? '';
    void load();
  });
  void load();
}
