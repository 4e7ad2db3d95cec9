// Samenwerking: the whole collaboration network — which partners work together, and how often.
import { getJson } from '../api';
import { h, put } from '../dom';
import { collaborationGraph } from '../graph';
import { num, plural, sectorName } from '../labels';
import { loadNames } from '../names';
import type { CollaborationResponse } from '../types';
import { empty, pageTitle, selectField, type PageContext } from '../ui';

export async function samenwerkingPage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const pijler = ctx.query.get('pijler') ?? '';
  const [names, answer] = await Promise.all([loadNames(), getJson<CollaborationResponse>('collaboration', { pillar: pijler }, ctx.signal)]);
  ctx.setStand(answer.as_of_position);
  const nodes = answer.nodes ?? [];
  const edges = answer.edges ?? [];

  const pillar = selectField('Pijler', 'pijler', (names.programme.pillars ?? []).map((p) => ({ value: p.pillar_id ?? '', label: p.name ?? '' })), pijler, 'Alle pijlers');
  pillar.select.addEventListener('change', () => ctx.navigate(pillar.select.value ? `/samenwerking?pijler=${encodeURIComponent(pillar.select.value)}` : '/samenwerking', true));
  const form = h('form', { class: 'filters', 'aria-label': 'Samenwerking filteren' }, pillar.field);
  form.addEventListener('submit', (e) => e.preventDefault());

  put(main, 
    pageTitle('Samenwerking', 'Welke partners samen aan acties werken. Hoe dikker de lijn, hoe meer gedeelde acties; hoe groter de stip, hoe meer acties.'),
    form,
  );
  const connected = new Set(edges.flatMap((e) => [e.partner_a, e.partner_b]));
  const shown = nodes.filter((n) => connected.has(n.partner_id) || (n.action_count ?? 0) > 0);
  if (shown.length === 0) {
    put(main, empty('Nog geen acties met partners, dus nog geen samenwerking om te tonen.'));
    return 'Samenwerking';
  }
  const lonely = shown.filter((n) => !connected.has(n.partner_id));
  put(main, 
    h(
      'section',
      { class: 'kaart', 'aria-labelledby': 'kop-netwerk' },
      h('h2', { id: 'kop-netwerk' }, 'Netwerk'),
      collaborationGraph(
        shown.map((n) => ({ id: n.partner_id ?? '', label: n.name || n.partner_id || '', sector: n.sector, weight: n.action_count ?? 0 })),
        edges.map((e) => ({ a: e.partner_a ?? '', b: e.partner_b ?? '', weight: e.shared_actions ?? 1 })),
        {
          label: `Samenwerkingsnetwerk: ${shown.length} partners, ${edges.length} samenwerkingen. De lijst hieronder noemt ze allemaal.`,
          onSelect: (id) => ctx.navigate(`/partners/${encodeURIComponent(id)}`),
          height: 'min(70vh, 640px)',
        },
        ctx.onLeave,
      ),
      lonely.length ? h('p', { class: 'meta' }, `Werken (nog) alleen: ${lonely.map((n) => n.name).join(', ')}.`) : null,
    ),
  );
  const nameOf = new Map(nodes.map((n) => [n.partner_id ?? '', n.name ?? n.partner_id ?? '']));
  put(main, 
    h(
      'section',
      { class: 'kaart', 'aria-labelledby': 'kop-paren' },
      h('h2', { id: 'kop-paren' }, `Samenwerkingen (${edges.length})`),
      edges.length === 0
        ? empty('Nog geen partners die samen een actie doen.')
        : h(
            'div',
            { class: 'tabel-scroll' },
            h(
              'table',
              { class: 'tabel stapelbaar' },
              h('caption', { class: 'sr-only' }, 'Paren van partners met het aantal gedeelde acties, meeste eerst'),
              h('thead', null, h('tr', null, ['Partner', 'Partner', 'Gedeelde acties'].map((t) => h('th', { scope: 'col' }, t)))),
              h(
                'tbody',
                null,
                edges.map((e) =>
                  h(
                    'tr',
                    null,
                    h('td', { 'data-label': 'Partner' }, h('a', { href: `/partners/${encodeURIComponent(e.partner_a ?? '')}` }, nameOf.get(e.partner_a ?? '') ?? e.partner_a)),
                    h('td', { 'data-label': 'Partner' }, h('a', { href: `/partners/${encodeURIComponent(e.partner_b ?? '')}` }, nameOf.get(e.partner_b ?? '') ?? e.partner_b)),
                    h('td', { 'data-label': 'Gedeelde acties' }, num(e.shared_actions ?? 0)),
                  ),
                ),
              ),
            ),
          ),
    ),
    h(
      'section',
      { class: 'kaart', 'aria-labelledby': 'kop-deelnemers' },
      h('h2', { id: 'kop-deelnemers' }, 'Partners in het netwerk'),
      h(
        'ul',
        { class: 'samenlijst kolommen' },
        shown
          .slice()
          .sort((a, b) => (b.action_count ?? 0) - (a.action_count ?? 0))
          .map((n) => h('li', null, h('a', { href: `/partners/${encodeURIComponent(n.partner_id ?? '')}` }, n.name || n.partner_id), ` — ${sectorName(n.sector)}, ${plural(n.action_count, 'actie', 'acties')}`)),
      ),
    ),
  );
  return 'Samenwerking';
}
