// Eigenaarschap: acties zonder eigenaar of voortgang — the evaluation's main finding made visible.
import { getJson } from '../api';
import { h, put } from '../dom';
import { GAP_NAMES, num, plural, shorten } from '../labels';
import { goalTitle, loadNames, pillarName } from '../names';
import type { GapKind, OwnershipGap, OwnershipGapsResponse } from '../types';
import { empty, inputField, pageTitle, partnerLink, type PageContext } from '../ui';

const KIND_ORDER: GapKind[] = ['GAP_KIND_NO_OWNER', 'GAP_KIND_OWNER_LEFT', 'GAP_KIND_STALE', 'GAP_KIND_GOAL_WITHOUT_ACTION', 'GAP_KIND_UNSPECIFIED'];

const KIND_EXPLAINED: Record<GapKind, string> = {
  GAP_KIND_NO_OWNER: 'Niemand is penvoerder: wie trekt deze actie?',
  GAP_KIND_OWNER_LEFT: 'De penvoerder heeft het programma verlaten.',
  GAP_KIND_STALE: 'Er is al lang geen resultaat of statuswijziging vastgelegd.',
  GAP_KIND_GOAL_WITHOUT_ACTION: 'Aan dit doel werkt nog geen enkele actie.',
  GAP_KIND_UNSPECIFIED: '',
};

export async function eigenaarschapPage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const days = Math.max(1, Number.parseInt(ctx.query.get('dagen') ?? '180', 10) || 180);
  const [names, answer] = await Promise.all([loadNames(), getJson<OwnershipGapsResponse>('ownership-gaps', { stale_days: days }, ctx.signal)]);
  ctx.setStand(answer.as_of_position);
  const gaps = answer.gaps ?? [];

  const { field, input } = inputField('Geen voortgang na (dagen)', 'dagen', 'number', String(days), { min: '1', max: '3650', step: '1', inputmode: 'numeric' });
  const form = h('form', { class: 'filters', 'aria-label': 'Termijn voor voortgang' }, field, h('div', { class: 'knoppen' }, h('button', { type: 'submit' }, 'Toepassen')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = Math.max(1, Number.parseInt(input.value, 10) || 180);
    ctx.navigate(n === 180 ? '/eigenaarschap' : `/eigenaarschap?dagen=${n}`);
  });

  put(main, 
    pageTitle('Acties zonder eigenaar of voortgang', 'Waar eigenaarschap onduidelijk is of de voortgang stokt. Elke regel zegt waarom.'),
    form,
  );
  if (gaps.length === 0) {
    put(main, empty(`Geen acties zonder penvoerder, en alle acties hebben in de laatste ${num(days)} dagen voortgang laten zien.`));
    return 'Eigenaarschap';
  }

  const byKind = new Map<GapKind, OwnershipGap[]>();
  for (const g of gaps) {
    const kind = g.kind ?? 'GAP_KIND_UNSPECIFIED';
    byKind.set(kind, [...(byKind.get(kind) ?? []), g]);
  }
  put(main, 
    h(
      'ul',
      { class: 'kerncijfers', 'aria-label': 'Aantallen per soort' },
      KIND_ORDER.filter((k) => byKind.has(k)).map((k) => h('li', null, h('a', { href: `#soort-${k}` }, h('span', { class: 'getal' }, num(byKind.get(k)!.length)), ' ', h('span', { class: 'eenheid' }, GAP_NAMES[k])))),
    ),
  );
  for (const kind of KIND_ORDER) {
    const list = byKind.get(kind);
    if (!list) continue;
    const headingId = `soort-${kind}`;
    put(main, 
      h(
        'section',
        { class: 'kaart', 'aria-labelledby': headingId },
        h('h2', { id: headingId, tabindex: '-1' }, `${GAP_NAMES[kind]} (${list.length})`),
        KIND_EXPLAINED[kind] ? h('p', { class: 'meta' }, KIND_EXPLAINED[kind]) : null,
        h(
          'ul',
          { class: 'gaten' },
          list.map((g) =>
            h(
              'li',
              null,
              h('p', { class: 'gat-titel' }, g.action_id ? h('a', { href: `/acties/${encodeURIComponent(g.action_id)}`, title: g.title }, shorten(g.title || g.action_id, 140)) : h('strong', null, shorten(g.title || goalTitle(names, g.goal_id), 140))),
              h('p', { class: 'reden' }, h('span', { class: 'label' }, 'Reden: '), g.reason || GAP_NAMES[kind]),
              h(
                'p',
                { class: 'meta' },
                pillarName(names, g.pillar_id),
                g.goal_id && g.action_id ? ` · doel ${goalTitle(names, g.goal_id)}` : '',
                g.owner_partner_id ? [' · penvoerder ', partnerLink(names, g.owner_partner_id)] : '',
                g.days_since_activity ? ` · ${plural(g.days_since_activity, 'dag', 'dagen')} zonder activiteit` : '',
              ),
            ),
          ),
        ),
      ),
    );
  }
  return 'Eigenaarschap';
}
