// Search in what was on screen, across recordings; each hit opens the player at that moment.
import { ApiError, getJson, type GrepHit } from './api.js';
import { clear, formatClock, h } from './dom.js';

export function renderSearchPage(root: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  const input = h('input', { type: 'search', name: 'q', id: 'grep-q', placeholder: 'text seen on screen', value: params.get('q') ?? '' });
  const form = h('form', { class: 'filters', id: 'grep-form' }, input, h('button', { type: 'submit' }, 'Search'));
  const status = h('p', { class: 'status', id: 'grep-status' });
  const list = h('ol', { class: 'hits', id: 'grep-hits' });
  root.append(h('h1', {}, 'Search recordings'), form, status, list);

  async function run(q: string): Promise<void> {
    clear(list);
    if (!q) return;
    status.textContent = 'Searching…';
    try {
      const { hits } = await getJson<{ hits: GrepHit[] | null }>('/api/grep', { q, limit: 200 });
      if (hits === null) {
        status.textContent = 'The screen index is not available on this server.';
        return;
      }
      for (const hit of hits) {
        const href = `/sessions/${encodeURIComponent(hit.sessionId)}?t=${hit.t.toFixed(3)}&paused=1&q=${encodeURIComponent(q)}`;
        list.append(h('li', {}, h('a', { href, class: 'hit' }, h('span', { class: 'sid' }, hit.sessionId.slice(0, 8)), ' ',
          h('span', { class: 'nowrap' }, formatClock(hit.t)), ' ', h('code', {}, hit.line))));
      }
      status.textContent = `${hits.length} hits`;
    } catch (err) {
      status.textContent = err instanceof ApiError ? `Error: ${err.message}` : 'Error';
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = input.value.trim();
    history.replaceState(null, '', q ? `/search?q=${encodeURIComponent(q)}` : '/search');
    void run(q);
  });
  void run(input.value.trim());
}
