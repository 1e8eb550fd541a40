// /sessions/<sid>: the player with its controls. `?t=SECONDS&paused=1` opens at a moment;
// `q=TEXT` marks the grep hits of this session on the seek bar.
import { getJson, type GrepHit, type Outline, type Progress, type SessionHead } from './api.js';
import type { PlayerStart } from './player-start.js';
import { formatClock, formatTime, h } from './dom.js';
import { Player, type PlayerState, SPEEDS } from './player.js';

export function renderPlayerPage(root: HTMLElement, sessionId: string, start: PlayerStart): void {
  const params = new URLSearchParams(location.search);
  const status = h('p', { class: 'status', id: 'player-status' }, 'Loading…');
  root.append(h('h1', {}, 'Session ', h('code', {}, sessionId)), status);

  void (async () => {
    const base = `/api/sessions/${encodeURIComponent(sessionId)}`;
    let head: SessionHead;
    try {
      head = await start.head;
    } catch (err) {
      start.stream.close();
      status.textContent = `Error: ${(err as Error).message}`;
      return;
    }
    status.textContent = `${head.user || 'unknown user'} · ${formatTime(head.start)} · ${head.cols}x${head.rows}`;

    const screen = h('div', { class: 'screen', id: 'screen' });
    const screenText = h('pre', { id: 'screen-text', class: 'visually-hidden', 'aria-label': 'screen text' });
    const playBtn = h('button', { type: 'button', id: 'play', 'aria-label': 'play' }, '▶');
    const clock = h('span', { id: 'clock', class: 'nowrap' }, '0:00.0');
    // Disabled until the duration is known (asked right after the first frame).
    const seek = h('input', { type: 'range', id: 'seek', min: 0, max: head.duration ?? 0, step: 'any', value: 0, 'aria-label': 'seek', disabled: head.duration === null });
    const markers = h('div', { class: 'markers', id: 'markers' });
    const indexedFill = h('div', {});
    const indexed = h('div', { class: 'indexed', id: 'indexed', title: 'indexed part: seeks there are instant' }, indexedFill);
    const speed = h('select', { id: 'speed', 'aria-label': 'speed' }, ...SPEEDS.map((s) => h('option', { value: s, selected: s === 1 }, `${s}x`)));
    const skip = h('input', { type: 'checkbox', id: 'skip-idle', checked: true });
    const cap = h('input', { type: 'number', id: 'idle-cap', min: 0.05, max: 60, step: 0.05, value: 0.5, 'aria-label': 'idle cap in seconds' });
    const full = h('button', { type: 'button', id: 'fullscreen' }, 'Full screen');
    const copy = h('button', { type: 'button', id: 'copy-text' }, 'Copy text');
    const container = h('section', { class: 'player', id: 'player', tabindex: 0, 'data-state': 'loading' },
      h('div', { class: 'screen-wrap' }, screen),
      h('div', { class: 'seekbar' }, seek, indexed, markers),
      h('div', { class: 'controls' }, playBtn, clock, h('label', {}, 'Speed ', speed),
        h('label', {}, skip, ' Skip idle > ', cap, ' s'), full, copy),
      screenText);
    root.append(container);

    const render = (s: PlayerState) => {
      const total = Number.isFinite(s.duration) ? formatClock(s.duration) : '…';
      playBtn.textContent = s.paused ? '▶' : '❚❚';
      playBtn.setAttribute('aria-label', s.paused ? 'play' : 'pause');
      clock.textContent = `${formatClock(s.pos)} / ${total}`;
      if (document.activeElement !== seek || !s.paused) seek.value = String(s.pos);
      container.dataset.state = s.seeking ? 'seeking' : s.ended ? 'ended' : s.paused ? 'paused' : 'playing';
      container.dataset.pos = s.pos.toFixed(3);
      if (Number(speed.value) !== s.speed) speed.value = String(s.speed);
    };
    const player = new Player(screen, sessionId, head, screenText, render);

    const grepHits: GrepHit[] = [];
    const addMarker = (t: number, kind: string, label: string) => {
      if (!Number.isFinite(player.duration)) return;
      const left = player.duration > 0 ? (100 * t) / player.duration : 0;
      const m = h('button', { type: 'button', class: `marker ${kind}`, title: `${kind} ${label} at ${formatClock(t)}`, 'data-t': t.toFixed(3), 'aria-label': `${kind} ${label}` });
      m.style.left = `${left}%`;
      m.addEventListener('click', () => { void player.seek(t); });
      markers.append(m);
    };
    const q = params.get('q');
    if (q) {
      getJson<{ hits: GrepHit[] | null }>('/api/grep', { q, limit: 500 }).then(({ hits }) => {
        for (const hit of hits ?? []) {
          if (hit.sessionId !== sessionId) continue;
          grepHits.push(hit);
          addMarker(hit.t, 'grep', hit.line);
        }
      }, () => undefined);
    }

    seek.addEventListener('change', () => { void player.seek(Number(seek.value)); });
    playBtn.addEventListener('click', () => player.toggle());
    speed.addEventListener('change', () => player.setSpeed(Number(speed.value)));
    skip.addEventListener('change', () => { player.skipIdle = skip.checked; });
    cap.addEventListener('change', () => {
      const v = Number(cap.value);
      if (Number.isFinite(v) && v > 0) player.idleCap = v;
    });
    full.addEventListener('click', () => {
      if (document.fullscreenElement) void document.exitFullscreen();
      else void container.requestFullscreen?.();
    });
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(player.screenText()).then(() => { copy.textContent = 'Copied'; }, () => { copy.textContent = 'Copy failed'; });
    });
    document.addEventListener('keydown', (ev) => {
      const target = ev.target as HTMLElement;
      if (target.closest('input, select, textarea') && target !== seek) return;
      if (ev.key === ' ') {
        ev.preventDefault();
        player.toggle();
      } else if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
        ev.preventDefault();
        void player.seek(player.pos + (ev.key === 'ArrowLeft' ? -5 : 5));
      } else if (ev.key === '+' || ev.key === '=' || ev.key === '-' || ev.key === '_') {
        const i = SPEEDS.indexOf(player.speed);
        const j = ev.key === '-' || ev.key === '_' ? Math.max(0, i - 1) : Math.min(SPEEDS.length - 1, i + 1);
        player.setSpeed(SPEEDS[j]!);
      } else if (ev.key === 'f') {
        full.click();
      }
    });

    await player.seek(start.t, start.stream);
    if (params.get('paused') !== '1') player.play();
    else render(player.state);
    // Asked after the first frame, so nothing delays it. The duration comes first (from the index
    // or the recording's end), then how far the screen index got, polled until it is whole.
    const showDuration = (seconds: number) => {
      player.setDuration(seconds);
      seek.max = String(seconds);
      seek.disabled = false;
    };
    const pollProgress = async () => {
      for (;;) {
        let progress: Progress;
        try {
          progress = await getJson<Progress>(`${base}/progress`);
        } catch (err) {
          status.textContent += ` · index: ${(err as Error).message}`;
          return;
        }
        if (container.dataset.outline !== 'ready') showDuration(progress.duration);
        const index = progress.index ?? { state: 'ready', indexedSeconds: progress.duration };
        indexedFill.style.width = `${progress.duration > 0 ? (100 * index.indexedSeconds) / progress.duration : 100}%`;
        container.dataset.index = index.state;
        container.dataset.indexed = index.indexedSeconds.toFixed(3);
        if (index.state === 'ready' || !container.isConnected) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    void pollProgress();
    getJson<Outline>(`${base}/outline`).then((outline) => {
      showDuration(outline.duration);
      for (const m of outline.markers) addMarker(m.t, m.kind, m.label);
      for (const hit of grepHits) addMarker(hit.t, 'grep', hit.line);
      container.dataset.outline = 'ready';
    }, (err: Error) => { status.textContent += ` · outline: ${err.message}`; });
  })();
}
