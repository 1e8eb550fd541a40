// Recorded sessions: from session.end events and from recordings that have none.
import { getJson, type SessionSummary } from './api.js';
import { clear, formatBytes, formatDuration, formatTime, h } from './dom.js';

export function renderSessionsPage(root: HTMLElement): void {
  const status = h('p', { class: 'status', id: 'sessions-status' }, 'Loading…');
  const tbody = h('tbody', { id: 'session-rows' });
  root.append(h('h1', {}, 'Sessions'), status, h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'sessions-table' },
    h('thead', {}, h('tr', {}, ...['Start', 'Duration', 'User', 'Host', 'Size', 'Final screen'].map((c) => h('th', {}, c)))), tbody)));

  void (async () => {
    try {
      const { sessions } = await getJson<{ sessions: SessionSummary[] }>('/api/sessions');
      clear(tbody);
      for (const s of sessions) {
        const href = `/sessions/${encodeURIComponent(s.sessionId)}`;
        const preview = h('pre', { class: 'preview' }, s.bytes === null ? 'no recording' : '');
        tbody.append(h('tr', { 'data-sid': s.sessionId },
          h('td', { class: 'nowrap' }, s.bytes === null ? formatTime(s.start) : h('a', { href }, formatTime(s.start))),
          h('td', {}, formatDuration(s.durationMs)), h('td', { class: 'user' }, s.user), h('td', {}, s.host),
          h('td', { class: 'nowrap' }, formatBytes(s.bytes)), h('td', {}, preview)));
        if (s.bytes !== null) {
          getJson<{ text: string | null }>(`/api/sessions/${encodeURIComponent(s.sessionId)}/preview`).then(
            ({ text }) => { preview.textContent = text === null ? '—' : text.split('\n').filter((l) => l.trim()).slice(-3).join('\n'); },
            () => { preview.textContent = '—'; },
          );
        }
      }
      status.textContent = `${sessions.length} sessions`;
    } catch (err) {
      status.textContent = `Error: ${(err as Error).message}`;
    }
  })();
}
