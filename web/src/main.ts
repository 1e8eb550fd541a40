// Entry point: picks the page from the path (the server answers every page with index.html).
import { renderAuditPage } from './audit-page.js';
import { startPlayer } from './player-start.js';
import { renderSearchPage } from './search-page.js';
import { renderSessionsPage } from './sessions-page.js';

function start(): void {
  const root = document.getElementById('app')!;
  const path = location.pathname;
  const player = /^\/sessions\/([A-Za-z0-9_-]{1,128})$/.exec(path);
  let nav = 'audit';
  if (player) {
    nav = 'sessions';
    // xterm.js comes with the player only: the other pages load a fraction of the bytes. The
    // player's first requests go out meanwhile.
    const start = startPlayer(player[1]!);
    void import('./player-page.js').then(({ renderPlayerPage }) => renderPlayerPage(root, player[1]!, start));
  } else if (path === '/sessions') {
    nav = 'sessions';
    renderSessionsPage(root);
  } else if (path === '/search') {
    nav = 'search';
    renderSearchPage(root);
  } else {
    renderAuditPage(root);
  }
  document.querySelector(`[data-nav="${nav}"]`)?.setAttribute('aria-current', 'page');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
