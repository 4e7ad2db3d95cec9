// Overzicht: the programme, and per pijler its doelen, acties per status, latest resultaten and
// KPI progress towards the streefcijfers.
import { getJson } from '../api';
import { kpiProgressChart, statusPerPillarChart } from '../charts';
import { h, put } from '../dom';
import { STATUS_ORDER, day, money, moment, num, plural, shorten, statusName, unitSuffix } from '../labels';
import { actionTitle, loadActionTitles, loadNames, type ActionInfo } from '../names';
import type { FundsResponse, KpiView, PillarView, ResultView } from '../types';
import { empty, pageTitle, statusBadge, type PageContext } from '../ui';

export async function overzicht(main: HTMLElement, ctx: PageContext): Promise<string> {
  const names = await loadNames(true);
  const programme = names.programme;
  ctx.setStand(programme.as_of_position);
  const pillars = programme.pillars ?? [];
  const [funds, titles] = await Promise.all([
    getJson<FundsResponse>('funds', undefined, ctx.signal).catch(() => null),
    loadActionTitles().catch(() => undefined),
  ]);

  const title = programme.name || 'Sterk voor Noord';
  put(main, 
    pageTitle(title, [programme.area, programme.municipality].filter(Boolean).join(', ') || 'Overzicht van het programma'),
    programme.ambition ? h('blockquote', { class: 'ambitie' }, h('p', null, programme.ambition), programme.horizon_year ? h('footer', null, `Ambitie tot ${programme.horizon_year}`) : null) : null,
    h(
      'ul',
      { class: 'kerncijfers', 'aria-label': 'Kerncijfers' },
      kerncijfer(pillars.length, 'pijler', 'pijlers'),
      kerncijfer(programme.partner_count, 'partner', 'partners'),
      kerncijfer(programme.action_count, 'actie', 'acties'),
      kerncijfer(programme.result_count, 'resultaat', 'resultaten'),
    ),
  );

  if (pillars.length === 0) {
    put(main, empty('Er zijn nog geen pijlers vastgelegd. Zodra het programmateam de pijlers en doelen vastlegt, verschijnen ze hier.'));
    return 'Overzicht';
  }

  const statusSection = h(
    'section',
    { class: 'kaart', 'aria-labelledby': 'kop-status' },
    h('h2', { id: 'kop-status' }, 'Acties per status'),
    statusPerPillarChart(pillars, ctx.onLeave),
  );
  put(main, statusSection);

  const nav = h(
    'nav',
    { class: 'pijlernav', 'aria-label': 'Pijlers' },
    h('ul', null, pillars.map((p) => h('li', null, h('a', { href: `#pijler-${p.pillar_id}` }, p.name ?? p.pillar_id)))),
  );
  put(main, nav);

  for (const pillar of pillars) put(main, pillarSection(titles, pillar, ctx));

  if (funds && Number(funds.total_cents ?? 0) > 0) put(main, fundsSection(funds));
  return 'Overzicht';
}

function kerncijfer(n: number | undefined, one: string, many: string): HTMLElement {
  return h('li', null, h('span', { class: 'getal' }, num(n ?? 0)), ' ', h('span', { class: 'eenheid' }, (n ?? 0) === 1 ? one : many));
}

function pillarSection(titles: Map<string, ActionInfo> | undefined, pillar: PillarView, ctx: PageContext): HTMLElement {
  const id = pillar.pillar_id ?? '';
  const headingId = `pijler-${id}`;
  const counts = [...(pillar.actions_by_status ?? [])].sort((a, b) => STATUS_ORDER.indexOf(a.status!) - STATUS_ORDER.indexOf(b.status!));
  const goals = pillar.goals ?? [];
  return h(
    'section',
    { class: 'kaart pijler', 'aria-labelledby': headingId },
    h('h2', { id: headingId, tabindex: '-1' }, pillar.name ?? id),
    pillar.ambition ? h('p', { class: 'opgave' }, h('span', { class: 'label' }, 'Opgave: '), pillar.ambition) : null,
    h(
      'p',
      { class: 'pijlercijfers' },
      h('a', { href: `/acties?pijler=${encodeURIComponent(id)}` }, plural(pillar.action_count, 'actie', 'acties')),
      ` · ${plural(pillar.result_count, 'resultaat', 'resultaten')} · ${plural(goals.length, 'doel', 'doelen')}`,
    ),
    counts.length
      ? h(
          'ul',
          { class: 'statustelling', 'aria-label': `Acties per status in ${pillar.name}` },
          counts.map((c) => h('li', null, statusBadge(c.status), ' ', h('a', { href: `/acties?pijler=${encodeURIComponent(id)}&status=${c.status}`, 'aria-label': `${c.count} ${c.count === 1 ? 'actie' : 'acties'} met status ${statusName(c.status)}` }, num(c.count ?? 0)))),
        )
      : null,
    h(
      'div',
      { class: 'pijler-kolommen' },
      h(
        'div',
        null,
        h('h3', null, 'Doelen'),
        goals.length
          ? h(
              'ol',
              { class: 'doelen' },
              goals.map((g) =>
                h(
                  'li',
                  null,
                  h('a', { href: `/acties?pijler=${encodeURIComponent(id)}&doel=${encodeURIComponent(g.goal_id ?? '')}` }, g.title ?? g.goal_id),
                  ' ',
                  (g.action_ids ?? []).length ? h('span', { class: 'aantal' }, `(${plural((g.action_ids ?? []).length, 'actie', 'acties')})`) : h('span', { class: 'aantal waarschuwing' }, '(nog geen acties)'),
                ),
              ),
            )
          : empty('Nog geen doelen vastgelegd.'),
      ),
      h('div', null, h('h3', null, 'Laatste resultaten'), latestResults(titles, pillar.latest_results ?? [])),
    ),
    kpiBlock(pillar.kpis ?? [], ctx),
  );
}

function latestResults(titles: Map<string, ActionInfo> | undefined, results: ResultView[]): HTMLElement {
  if (results.length === 0) return empty('Nog geen resultaten vastgelegd.');
  return h(
    'ul',
    { class: 'resultaten' },
    results.map((r) =>
      h(
        'li',
        null,
        h('p', { class: 'resultaat-tekst' }, shorten(r.summary, 220)),
        r.value !== undefined ? h('p', { class: 'cijfer' }, `${num(r.value)}${unitSuffix(r.unit)}`) : null,
        h(
          'p',
          { class: 'meta' },
          'Bij actie ',
          h('a', { href: `/acties/${encodeURIComponent(r.action_id ?? '')}` }, shorten(actionTitle(titles, r.action_id), 80)),
          r.occurred_on ? ` · ${day(r.occurred_on)}` : '',
          r.recorded_at ? ` · vastgelegd ${moment(r.recorded_at)}` : '',
        ),
      ),
    ),
  );
}

function kpiBlock(kpis: KpiView[], ctx: PageContext): HTMLElement {
  const block = h('div', { class: 'kpis' }, h('h3', null, 'KPI-voortgang t.o.v. streefcijfers'));
  if (kpis.length === 0) {
    block.append(empty('Nog geen KPI’s met streefcijfers vastgelegd, dus ook nog geen metingen.'));
    return block;
  }
  const measured = kpis.filter((k) => (k.measurements ?? []).length > 0 || k.latest_value !== undefined);
  if (measured.length > 0) block.append(kpiProgressChart(measured, ctx.onLeave));
  else block.append(empty('Nog geen metingen: de streefcijfers staan hieronder, de voortgang volgt na de eerste meting.'));
  const table = h(
    'table',
    { class: 'tabel kpitabel' },
    h('caption', { class: 'sr-only' }, 'KPI’s met nulmeting, laatste meting en streefcijfers'),
    h('thead', null, h('tr', null, ['KPI', 'Nulmeting', 'Laatste meting', 'Streefcijfer 10 jaar', 'Streefcijfer 20 jaar'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      null,
      kpis.map((k) => {
        const unit = unitSuffix(k.unit);
        const last = (k.measurements ?? []).at(-1);
        return h(
          'tr',
          null,
          h('th', { scope: 'row', 'data-label': 'KPI' }, k.name ?? k.kpi_id, k.higher_is_better === false ? h('span', { class: 'meta' }, ' (lager is beter)') : null),
          h('td', { 'data-label': 'Nulmeting' }, `${num(k.baseline)}${unit}`),
          h(
            'td',
            { 'data-label': 'Laatste meting' },
            k.latest_value !== undefined
              ? [`${num(k.latest_value)}${unit}`, last?.period ? h('span', { class: 'meta' }, ` (${last.period})`) : null]
              : h('span', { class: 'leeg' }, 'nog geen metingen'),
          ),
          h('td', { 'data-label': 'Streefcijfer 10 jaar' }, `${num(k.target_10y)}${unit}`, k.latest_value !== undefined ? h('span', { class: 'meta' }, ` (${num(k.progress_10y_percent ?? 0)}%)`) : null),
          h('td', { 'data-label': 'Streefcijfer 20 jaar' }, `${num(k.target_20y)}${unit}`, k.latest_value !== undefined ? h('span', { class: 'meta' }, ` (${num(k.progress_20y_percent ?? 0)}%)`) : null),
        );
      }),
    ),
  );
  block.append(h('div', { class: 'tabel-scroll' }, table));
  return block;
}

function fundsSection(funds: FundsResponse): HTMLElement {
  const list = (title: string, lines: FundsResponse['by_pillar']) =>
    (lines ?? []).length
      ? h('div', null, h('h3', null, title), h('ul', { class: 'geldlijst' }, (lines ?? []).map((l) => h('li', null, h('span', null, l.name || l.id || 'onbekend'), ' ', h('span', { class: 'bedrag' }, money(l.amount_cents))))))
      : null;
  return h(
    'section',
    { class: 'kaart', 'aria-labelledby': 'kop-geld' },
    h('h2', { id: 'kop-geld' }, 'Middelen'),
    h('p', null, 'Totaal toegekend: ', h('strong', null, money(funds.total_cents))),
    h('div', { class: 'pijler-kolommen' }, list('Per pijler', funds.by_pillar), list('Per partner', funds.by_partner), list('Per bron', funds.by_source)),
  );
}
