// Partners: the directory (filter by sector) and one partner's page: its acties as penvoerder and
// as partner, with whom it works (a graph and a list) and its last activity.
import { getJson } from '../api';
import { h, put } from '../dom';
import { collaborationGraph, type GraphEdge, type GraphNode } from '../graph';
import { ago, day, moment, num, plural, roleName, sectorName } from '../labels';
import { loadNames, type Names } from '../names';
import type { PartnerResponse, PartnersResponse, PartnerView } from '../types';
import { actionList, empty, facts, pageTitle, selectField, type PageContext } from '../ui';

export async function partnersPage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const sector = ctx.query.get('sector') ?? '';
  const [names, answer] = await Promise.all([
    loadNames(),
    getJson<PartnersResponse>('partners', { sector: sector || undefined }, ctx.signal),
  ]);
  ctx.setStand(answer.as_of_position);
  const partners = answer.partners ?? [];

  const sectors = Array.from(new Set(names.partners.map((p) => p.sector ?? '').filter(Boolean))).sort((a, b) => sectorName(a).localeCompare(sectorName(b), 'nl'));
  const { field, select } = selectField('Sector', 'sector', sectors.map((s) => ({ value: s, label: sectorName(s) })), sector, 'Alle sectoren');
  select.addEventListener('change', () => ctx.navigate(select.value ? `/partners?sector=${encodeURIComponent(select.value)}` : '/partners', true));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Partners filteren' }, field, h('noscript', null, h('button', { type: 'submit' }, 'Filteren')));
  form.addEventListener('submit', (e) => e.preventDefault());

  put(main, 
    pageTitle('Partners', `${plural(partners.length, 'partner', 'partners')}${sector ? ` in de sector ${sectorName(sector)}` : ''} werken samen in het programma.`),
    form,
  );
  if (partners.length === 0) {
    put(main, empty(sector ? 'Geen partners in deze sector.' : 'Er zijn nog geen partners vastgelegd.'));
    return 'Partners';
  }
  put(main, 
    h(
      'div',
      { class: 'tabel-scroll' },
      h(
        'table',
        { class: 'tabel partnertabel stapelbaar' },
        h('caption', { class: 'sr-only' }, 'Partners met sector, rollen, acties en laatste activiteit'),
        h('thead', null, h('tr', null, ['Partner', 'Sector', 'Rollen', 'Acties', 'Laatste activiteit'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, partners.map((p) => partnerRow(names, p))),
      ),
    ),
  );
  return 'Partners';
}

function partnerRow(names: Names, p: PartnerView): HTMLElement {
  const owned = (p.owned_action_ids ?? []).length;
  const member = (p.member_action_ids ?? []).length;
  return h(
    'tr',
    null,
    h('th', { scope: 'row', 'data-label': 'Partner' }, h('a', { href: `/partners/${encodeURIComponent(p.partner_id ?? '')}` }, p.name || p.partner_id), p.active === false ? h('span', { class: 'meta' }, ' (vertrokken)') : null),
    h('td', { 'data-label': 'Sector' }, sectorName(p.sector)),
    h('td', { 'data-label': 'Rollen' }, (p.roles ?? []).length ? (p.roles ?? []).map((r) => roleName(r, names.pillarName)).join(', ') : h('span', { class: 'meta' }, '—')),
    h('td', { 'data-label': 'Acties' }, owned || member ? `${num(owned)} als penvoerder, ${num(member)} als partner` : h('span', { class: 'meta' }, 'nog geen')),
    h('td', { 'data-label': 'Laatste activiteit' }, p.last_activity_at ? h('time', { datetime: p.last_activity_at, title: moment(p.last_activity_at) }, ago(p.last_activity_at)) : h('span', { class: 'meta' }, '—')),
  );
}

export async function partnerPage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const id = ctx.params[0];
  const [names, answer] = await Promise.all([
    loadNames(),
    getJson<PartnerResponse>(`partners/${encodeURIComponent(id)}`, undefined, ctx.signal),
  ]);
  ctx.setStand(answer.as_of_position);
  const p = answer.partner ?? {};
  const name = p.name || id;
  const owned = answer.owned_actions ?? [];
  const member = answer.member_actions ?? [];
  const collaborators = p.collaborators ?? [];

  put(main, 
    h('p', { class: 'kruimel' }, h('a', { href: '/partners' }, '← Alle partners')),
    pageTitle(name, p.active === false ? `Vertrokken${p.left_on ? ` op ${day(p.left_on)}` : ''}` : sectorName(p.sector)),
    h(
      'section',
      { class: 'kaart', 'aria-label': 'Gegevens' },
      facts([
        ['Sector', sectorName(p.sector)],
        ['Rollen', (p.roles ?? []).map((r) => roleName(r, names.pillarName)).join(', ') || null],
        ['Website', p.website ? h('a', { href: safeUrl(p.website), rel: 'noopener noreferrer' }, p.website) : null],
        ['Partner sinds', p.joined_on ? day(p.joined_on) : null],
        ['Laatste activiteit', p.last_activity_at ? `${ago(p.last_activity_at)} (${moment(p.last_activity_at)})` : 'nog geen'],
        ['Acties', `${plural(owned.length, 'actie', 'acties')} als penvoerder, ${plural(member.length, 'actie', 'acties')} als partner`],
      ]),
    ),
    h(
      'div',
      { class: 'twee-kolommen' },
      h('section', { class: 'kaart', 'aria-labelledby': 'kop-penvoerder' }, h('h2', { id: 'kop-penvoerder' }, `Penvoerder van (${owned.length})`), actionList(names, owned, 'Deze partner is nog van geen actie penvoerder.', id)),
      h('section', { class: 'kaart', 'aria-labelledby': 'kop-partner' }, h('h2', { id: 'kop-partner' }, `Partner in (${member.length})`), actionList(names, member, 'Deze partner doet nog niet mee als partner in een actie.')),
    ),
  );

  const together = h('section', { class: 'kaart', 'aria-labelledby': 'kop-samen' }, h('h2', { id: 'kop-samen' }, 'Werkt samen met'));
  if (collaborators.length === 0) {
    together.append(empty('Nog geen gedeelde acties met andere partners.'));
  } else {
    const sectorOf = new Map(names.partners.map((x) => [x.partner_id ?? '', x.sector]));
    const nodes: GraphNode[] = [
      { id, label: name, sector: p.sector, weight: owned.length + member.length, focus: true },
      ...collaborators.map((c) => ({ id: c.partner_id ?? '', label: c.name || c.partner_id || '', sector: sectorOf.get(c.partner_id ?? ''), weight: c.shared_actions ?? 1 })),
    ];
    const edges: GraphEdge[] = collaborators.map((c) => ({ a: id, b: c.partner_id ?? '', weight: c.shared_actions ?? 1 }));
    together.append(
      collaborationGraph(
        nodes,
        edges,
        {
          label: `Netwerk van ${name}: werkt samen met ${collaborators.map((c) => `${c.name} (${c.shared_actions} ${c.shared_actions === 1 ? 'actie' : 'acties'})`).join(', ')}`,
          layout: 'concentric',
          height: '360px',
          onSelect: (other) => other !== id && ctx.navigate(`/partners/${encodeURIComponent(other)}`),
        },
        ctx.onLeave,
      ),
      h(
        'ul',
        { class: 'samenlijst' },
        collaborators.map((c) => h('li', null, h('a', { href: `/partners/${encodeURIComponent(c.partner_id ?? '')}` }, c.name || c.partner_id), ` — ${plural(c.shared_actions, 'gedeelde actie', 'gedeelde acties')}`)),
      ),
    );
  }
  put(main, together);
  return name;
}

/** Only http(s) links from the log become clickable. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url.includes('://') ? url : `https://${url}`);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : '#';
  } catch {
    return '#';
  }
}
