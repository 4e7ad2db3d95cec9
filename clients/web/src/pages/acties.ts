// Acties: a filterable list (pijler, doel, status, partner, zoeken) with pages, and one actie
// with its timeline of status changes and resultaten.
import { getJson } from '../api';
import { h, multiline, put } from '../dom';
import { STATUS_ORDER, ago, day, money, moment, num, plural, statusName } from '../labels';
import { goalTitle, loadNames, partnerName, pillarName, type Names } from '../names';
import type { ActionResponse, ActionsResponse, ActionView, ResultView, StatusChange } from '../types';
import { actionLink, empty, facts, inputField, pageTitle, partnerLink, selectField, statusBadge, type PageContext } from '../ui';

const PAGE_SIZE = 20;

// Page tokens seen per filter, so "page 3" can be reached again without walking from the start.
const tokens = new Map<string, string[]>();

interface Filter {
  pijler: string;
  doel: string;
  status: string;
  partner: string;
  q: string;
}

function apiParams(f: Filter) {
  return { pillar: f.pijler, goal: f.doel, status: f.status, partner: f.partner, q: f.q, page_size: PAGE_SIZE };
}

async function fetchPage(f: Filter, page: number, signal: AbortSignal): Promise<ActionsResponse> {
  const key = JSON.stringify(f);
  const known = tokens.get(key) ?? [''];
  tokens.set(key, known);
  // Walk forward to the page's token if we have not seen it yet.
  while (known.length < page) {
    const prev = await getJson<ActionsResponse>('actions', { ...apiParams(f), page_token: known[known.length - 1] || undefined }, signal);
    if (!prev.next_page_token) break;
    known.push(prev.next_page_token);
  }
  const index = Math.min(page, known.length) - 1;
  const answer = await getJson<ActionsResponse>('actions', { ...apiParams(f), page_token: known[index] || undefined }, signal);
  if (answer.next_page_token && known.length === index + 1) known.push(answer.next_page_token);
  return answer;
}

export async function actiesPage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const f: Filter = {
    pijler: ctx.query.get('pijler') ?? '',
    doel: ctx.query.get('doel') ?? '',
    status: ctx.query.get('status') ?? '',
    partner: ctx.query.get('partner') ?? '',
    q: ctx.query.get('q') ?? '',
  };
  const page = Math.max(1, Number.parseInt(ctx.query.get('pagina') ?? '1', 10) || 1);
  const [names, answer] = await Promise.all([loadNames(), fetchPage(f, page, ctx.signal)]);
  ctx.setStand(answer.as_of_position);
  const actions = answer.actions ?? [];
  const total = answer.total_count ?? actions.length;

  put(main, pageTitle('Acties', 'Alle acties van het programma: wat er gebeurt, wie de penvoerder is en wat het oplevert.'), filterForm(names, f, ctx));

  const filtered = Object.values(f).some(Boolean);
  const from = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const to = (page - 1) * PAGE_SIZE + actions.length;
  put(main, 
    h('p', { class: 'aantal-resultaten', role: 'status' }, total === 0 ? 'Geen acties gevonden.' : `${plural(total, 'actie', 'acties')}${filtered ? ' gevonden' : ''}${total > PAGE_SIZE ? `, ${from}–${to} getoond` : ''}.`),
  );
  if (actions.length === 0) {
    put(main, empty(filtered ? 'Probeer een ander filter of wis de filters.' : 'Er zijn nog geen acties vastgelegd.'));
    return 'Acties';
  }
  put(main, 
    h('ul', { class: 'actiekaarten' }, actions.map((a) => actionCard(names, a))),
    pagination(f, page, !!answer.next_page_token, total),
  );
  return page > 1 ? `Acties, pagina ${page}` : 'Acties';
}

function filterForm(names: Names, f: Filter, ctx: PageContext): HTMLElement {
  const pillars = (names.programme.pillars ?? []).map((p) => ({ value: p.pillar_id ?? '', label: p.name ?? p.pillar_id ?? '' }));
  const goals = (names.programme.pillars ?? [])
    .filter((p) => !f.pijler || p.pillar_id === f.pijler)
    .flatMap((p) => (p.goals ?? []).map((g) => ({ value: g.goal_id ?? '', label: goalTitle(names, g.goal_id) })));
  const statuses = STATUS_ORDER.map((s) => ({ value: s, label: statusName(s) }));
  const partners = names.partners.map((p) => ({ value: p.partner_id ?? '', label: p.name ?? p.partner_id ?? '' }));

  const pijler = selectField('Pijler', 'pijler', pillars, f.pijler, 'Alle pijlers');
  const doel = selectField('Doel', 'doel', goals, f.doel, 'Alle doelen');
  const status = selectField('Status', 'status', statuses, f.status, 'Alle statussen');
  const partner = selectField('Partner (penvoerder of partner)', 'partner', partners, f.partner, 'Alle partners');
  const zoek = inputField('Zoeken in titel, omschrijving en resultaten', 'q', 'search', f.q, { autocomplete: 'off' });

  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Acties filteren', action: '/acties', method: 'get' },
    pijler.field,
    doel.field,
    status.field,
    partner.field,
    zoek.field,
    h('div', { class: 'knoppen' }, h('button', { type: 'submit' }, 'Filteren'), h('a', { href: '/acties', class: 'knop secundair' }, 'Wis filters')),
  );
  const go = () => {
    const params = new URLSearchParams();
    const values: [string, string][] = [
      ['pijler', pijler.select.value],
      ['doel', doel.select.value],
      ['status', status.select.value],
      ['partner', partner.select.value],
      ['q', zoek.input.value.trim()],
    ];
    for (const [k, v] of values) if (v) params.set(k, v);
    const query = params.toString();
    ctx.navigate(`/acties${query ? `?${query}` : ''}`);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go();
  });
  // A different pijler offers its own doelen (the filter applies with "Filteren").
  pijler.select.addEventListener('change', () => {
    const chosen = pijler.select.value;
    const options = (names.programme.pillars ?? [])
      .filter((p) => !chosen || p.pillar_id === chosen)
      .flatMap((p) => (p.goals ?? []).map((g) => ({ value: g.goal_id ?? '', label: goalTitle(names, g.goal_id) })));
    const keep = doel.select.value;
    while (doel.select.options.length > 1) doel.select.remove(1);
    for (const o of options) doel.select.add(new Option(o.label, o.value, false, o.value === keep));
    if (!options.some((o) => o.value === keep)) doel.select.value = '';
  });
  return form;
}

function actionCard(names: Names, a: ActionView): HTMLElement {
  return h(
    'li',
    { class: 'actiekaart' },
    h('h2', { class: 'actiekaart-titel' }, actionLink(a, 160)),
    h('p', { class: 'meta' }, pillarName(names, a.pillar_id), a.goal_id ? ` · doel ${goalTitle(names, a.goal_id)}` : ''),
    h(
      'p',
      { class: 'actiekaart-regel' },
      statusBadge(a.status),
      ' ',
      a.owner_partner_id ? h('span', null, 'Penvoerder: ', partnerLink(names, a.owner_partner_id), a.owner_left ? ' (vertrokken)' : '') : h('span', { class: 'waarschuwing' }, 'Geen penvoerder'),
      (a.partner_ids ?? []).length ? h('span', null, ` · met ${plural((a.partner_ids ?? []).length, 'partner', 'partners')}`) : null,
      ` · ${plural(a.result_count, 'resultaat', 'resultaten')}`,
      a.last_activity_at ? h('span', null, ' · laatste activiteit ', h('time', { datetime: a.last_activity_at, title: moment(a.last_activity_at) }, ago(a.last_activity_at))) : null,
    ),
  );
}

function pagination(f: Filter, page: number, hasNext: boolean, total: number): HTMLElement | null {
  if (page === 1 && !hasNext) return null;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const link = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) params.set(k, v);
    if (p > 1) params.set('pagina', String(p));
    const q = params.toString();
    return `/acties${q ? `?${q}` : ''}`;
  };
  return h(
    'nav',
    { class: 'paginering', 'aria-label': 'Pagina’s' },
    page > 1 ? h('a', { href: link(page - 1), rel: 'prev' }, '← Vorige') : h('span', { class: 'uit' }, '← Vorige'),
    h('span', { 'aria-current': 'page' }, `Pagina ${page} van ${pages}`),
    hasNext ? h('a', { href: link(page + 1), rel: 'next' }, 'Volgende →') : h('span', { class: 'uit' }, 'Volgende →'),
  );
}

// ---- One actie -----------------------------------------------------------------------------

type TimelineItem = { kind: 'status'; item: StatusChange; position: number } | { kind: 'result'; item: ResultView; position: number };

export async function actiePage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const id = ctx.params[0];
  const [names, answer] = await Promise.all([loadNames(), getJson<ActionResponse>(`actions/${encodeURIComponent(id)}`, undefined, ctx.signal)]);
  ctx.setStand(answer.as_of_position);
  const a = answer.action ?? {};
  const title = a.title || id;

  const capacity = (a.capacity ?? []).filter((c) => (c.hours_per_week ?? 0) > 0);
  put(main, 
    h('p', { class: 'kruimel' }, h('a', { href: '/acties' }, '← Alle acties'), a.pillar_id ? [' · ', h('a', { href: `/acties?pijler=${encodeURIComponent(a.pillar_id)}` }, pillarName(names, a.pillar_id))] : null),
    pageTitle(title),
    h(
      'section',
      { class: 'kaart', 'aria-label': 'Gegevens van de actie' },
      facts([
        ['Status', statusBadge(a.status)],
        ['Pijler', pillarName(names, a.pillar_id)],
        ['Doel', a.goal_id ? h('a', { href: `/acties?doel=${encodeURIComponent(a.goal_id)}` }, goalTitle(names, a.goal_id)) : null],
        ['Penvoerder', a.owner_partner_id ? [partnerLink(names, a.owner_partner_id), a.owner_left ? h('span', { class: 'waarschuwing' }, ' (heeft het programma verlaten)') : null] : h('span', { class: 'waarschuwing' }, 'Geen penvoerder: eigenaarschap onduidelijk')],
        ['Partners', (a.partner_ids ?? []).length ? joinNodes((a.partner_ids ?? []).map((p) => partnerLink(names, p))) : null],
        ['Gepland', a.planned_start || a.planned_end ? `${a.planned_start ? day(a.planned_start) : '?'} tot ${a.planned_end ? day(a.planned_end) : '?'}` : null],
        ['Gestart op', a.started_on ? day(a.started_on) : null],
        ['Inzet', capacity.length ? `${num(a.hours_per_week)} uur per week (${capacity.map((c) => `${partnerName(names, c.partner_id)} ${num(c.hours_per_week)}`).join(', ')})` : null],
        ['Middelen', Number(a.funds_cents ?? 0) > 0 ? money(a.funds_cents) : null],
        ['Laatste activiteit', a.last_activity_at ? `${ago(a.last_activity_at)} (${moment(a.last_activity_at)})` : null],
      ]),
      a.description && a.description !== a.title ? h('div', { class: 'omschrijving' }, h('h2', null, 'Omschrijving'), h('p', null, multiline(a.description))) : null,
    ),
  );

  const items: TimelineItem[] = [
    ...(a.status_history ?? []).map((s) => ({ kind: 'status' as const, item: s, position: Number(s.position ?? 0) })),
    ...(a.results ?? []).map((r) => ({ kind: 'result' as const, item: r, position: Number(r.position ?? 0) })),
  ].sort((x, y) => x.position - y.position);

  put(main, 
    h(
      'section',
      { class: 'kaart', 'aria-labelledby': 'kop-tijdlijn' },
      h('h2', { id: 'kop-tijdlijn' }, 'Tijdlijn'),
      h('p', { class: 'meta' }, 'Statuswijzigingen en resultaten in de volgorde waarin ze zijn vastgelegd. “Datum” is wanneer het gebeurde, “vastgelegd” wanneer het in het wijkboek kwam.'),
      items.length ? h('ol', { class: 'tijdlijn' }, items.map((t, i) => timelineItem(t, i === 0))) : empty('Nog niets vastgelegd.'),
    ),
  );
  return title.length > 60 ? `${title.slice(0, 57)}…` : title;
}

function joinNodes(nodes: Node[]): Node[] {
  const out: Node[] = [];
  nodes.forEach((n, i) => {
    if (i > 0) out.push(document.createTextNode(', '));
    out.push(n);
  });
  return out;
}

function when(occurredOn: string | undefined, recordedAt: string | undefined, position: number, by?: string): HTMLElement {
  return h(
    'p',
    { class: 'wanneer' },
    occurredOn ? [h('span', null, 'Datum: ', h('time', { datetime: occurredOn }, day(occurredOn))), ' · '] : null,
    h('span', null, 'vastgelegd: ', recordedAt ? h('time', { datetime: recordedAt }, moment(recordedAt)) : 'onbekend'),
    position ? ` · positie ${position}` : '',
    by ? ` · door ${by}` : '',
  );
}

function timelineItem(t: TimelineItem, first: boolean): HTMLElement {
  if (t.kind === 'status') {
    const s = t.item;
    return h(
      'li',
      { class: 'tijdlijn-status' },
      h('p', { class: 'tijdlijn-kop' }, first ? 'Gestart met status ' : 'Status gewijzigd in ', statusBadge(s.status)),
      s.note ? h('p', null, multiline(s.note)) : null,
      when(s.occurred_on, s.recorded_at, t.position),
    );
  }
  const r = t.item;
  return h(
    'li',
    { class: 'tijdlijn-resultaat' },
    h('p', { class: 'tijdlijn-kop' }, 'Resultaat', r.value !== undefined ? h('span', { class: 'cijfer' }, ` ${num(r.value)} ${r.unit ?? ''}`) : null),
    h('p', null, multiline(r.summary)),
    when(r.occurred_on, r.recorded_at, t.position, r.recorded_by),
  );
}
