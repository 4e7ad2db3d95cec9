// Live: what is being recorded right now, newest first, without reloading. The browser's
// EventSource follows /api/v1/events/live and resumes with Last-Event-ID after a dropped
// connection, so nothing is missed or shown twice.
import { getJson } from '../api';
import { describe } from '../describe';
import { h, put } from '../dom';
import { clock, moment } from '../labels';
import { loadActionTitles, loadNames, type ActionInfo, type Names } from '../names';
import type { LogEvent, ProgrammeResponse } from '../types';
import { pageTitle, type PageContext } from '../ui';

const HISTORY = 25; // events shown from before the page opened
const MAX_ITEMS = 300;

export async function livePage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const [names, titles, programme] = await Promise.all([
    loadNames().catch(() => undefined),
    loadActionTitles().catch(() => new Map<string, ActionInfo>()),
    getJson<ProgrammeResponse>('programme', undefined, ctx.signal),
  ]);
  const head = Number(programme.as_of_position ?? 0);
  ctx.setStand(programme.as_of_position);

  const state = h('p', { class: 'verbinding', role: 'status' }, 'Verbinden…');
  const list = h('ol', { class: 'livefeed', 'aria-label': 'Gebeurtenissen, nieuwste eerst', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const emptyNote = h('p', { class: 'leeg' }, 'Nog geen gebeurtenissen. Zodra een partner iets vastlegt, verschijnt het hier.');
  put(main, 
    pageTitle('Live', 'Wat partners nu vastleggen in het wijkboek, nieuwste eerst. Deze pagina werkt zichzelf bij.'),
    state,
    emptyNote,
    list,
  );

  const from = Math.max(1, head - HISTORY + 1);
  const source = new EventSource(`/api/v1/events/live?from=${from}`);
  let seen = 0;
  let lastPosition = 0;
  ctx.onLeave(() => source.close());

  source.onopen = () => {
    state.textContent = 'Verbonden — nieuwe gebeurtenissen verschijnen vanzelf.';
    state.className = 'verbinding verbonden';
  };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      state.textContent = 'De verbinding is verbroken. Herlaad de pagina om opnieuw te verbinden.';
      state.className = 'verbinding fout';
      // Perhaps the session ended: the API says so with a 401.
      void getJson('programme').catch(() => undefined);
    } else {
      state.textContent = 'Verbinding verbroken — opnieuw verbinden…';
      state.className = 'verbinding herstel';
    }
  };
  source.onmessage = (message: MessageEvent<string>) => {
    let event: LogEvent;
    try {
      event = JSON.parse(message.data) as LogEvent;
    } catch {
      return;
    }
    const position = Number(event.position ?? message.lastEventId ?? 0);
    if (position && position <= lastPosition) return; // never twice
    lastPosition = position || lastPosition;
    learn(event, titles);
    list.prepend(item(event, names, titles, position >= head + 1));
    seen += 1;
    if (seen === 1) emptyNote.remove();
    while (list.childElementCount > MAX_ITEMS) list.lastElementChild?.remove();
    ctx.setStand(String(lastPosition));
  };
  return 'Live';
}

function isToday(ts: string | undefined): boolean {
  if (!ts) return false;
  return new Date(ts).toDateString() === new Date().toDateString();
}

/** New actions teach the feed their titles, so later lines can name them. */
function learn(event: LogEvent, titles: Map<string, ActionInfo>): void {
  const started = event.payload?.action_started as { action_id?: string; title?: string; pillar_id?: string } | undefined;
  if (event.type === 'ActionStarted' && started?.action_id) {
    titles.set(started.action_id, { title: started.title || started.action_id });
  }
}

function item(event: LogEvent, names: Names | undefined, titles: Map<string, ActionInfo>, fresh: boolean): HTMLElement {
  const d = describe(event, names, titles);
  return h(
    'li',
    { class: `live-item${fresh ? ' nieuw' : ''}`, 'data-position': event.position ?? '', 'data-type': event.type ?? '' },
    h('span', { class: `soort soort-${(event.type ?? '').toLowerCase()}` }, d.kind),
    h('p', { class: 'live-tekst' }, d.href ? h('a', { href: d.href }, d.text) : d.text),
    h(
      'p',
      { class: 'meta' },
      h('time', { datetime: event.recorded_at ?? '', title: moment(event.recorded_at) }, isToday(event.recorded_at) ? clock(event.recorded_at) : moment(event.recorded_at)),
      ` · positie ${event.position ?? '?'}`,
      event.recorded_by ? ` · door ${event.recorded_by}` : '',
    ),
  );
}
