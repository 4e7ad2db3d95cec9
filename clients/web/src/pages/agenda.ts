// Agenda: the shared calendar of the programme (e.g. the Doe mee! Weken).
import { getJson } from '../api';
import { h, multiline, put } from '../dom';
import { day, plural } from '../labels';
import { loadNames, pillarName } from '../names';
import type { AgendaResponse } from '../types';
import { empty, inputField, pageTitle, partnerLink, selectField, type PageContext } from '../ui';

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export async function agendaPage(main: HTMLElement, ctx: PageContext): Promise<string> {
  const from = ctx.query.get('van') || today();
  const to = ctx.query.get('tot') ?? '';
  const pijler = ctx.query.get('pijler') ?? '';
  const [names, answer] = await Promise.all([loadNames(), getJson<AgendaResponse>('agenda', { from, to, pillar: pijler }, ctx.signal)]);
  ctx.setStand(answer.as_of_position);
  const activities = answer.activities ?? [];

  const van = inputField('Vanaf', 'van', 'date', from);
  const tot = inputField('Tot en met', 'tot', 'date', to);
  const pillar = selectField('Pijler', 'pijler', (names.programme.pillars ?? []).map((p) => ({ value: p.pillar_id ?? '', label: p.name ?? '' })), pijler, 'Alle pijlers');
  const form = h('form', { class: 'filters', 'aria-label': 'Agenda filteren' }, van.field, tot.field, pillar.field, h('div', { class: 'knoppen' }, h('button', { type: 'submit' }, 'Tonen')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    if (van.input.value && van.input.value !== today()) params.set('van', van.input.value);
    if (tot.input.value) params.set('tot', tot.input.value);
    if (pillar.select.value) params.set('pijler', pillar.select.value);
    const q = params.toString();
    ctx.navigate(`/agenda${q ? `?${q}` : ''}`);
  });

  put(main, pageTitle('Agenda', 'Activiteiten van de partners voor de wijk.'), form);
  if (activities.length === 0) {
    put(main, 
      empty(`Er staan ${to ? `van ${day(from)} tot en met ${day(to)}` : `vanaf ${day(from)}`} geen activiteiten in de agenda.`),
      h('p', null, h('a', { href: '/agenda?van=2000-01-01' }, 'Toon ook eerdere activiteiten')),
    );
    return 'Agenda';
  }
  put(main, 
    h('p', { class: 'aantal-resultaten' }, `${plural(activities.length, 'activiteit', 'activiteiten')}.`),
    h(
      'ol',
      { class: 'agenda' },
      activities.map((a) =>
        h(
          'li',
          { class: 'kaart agenda-item' },
          h(
            'p',
            { class: 'agenda-datum' },
            h('time', { datetime: a.starts_on ?? '' }, day(a.starts_on)),
            a.ends_on && a.ends_on !== a.starts_on ? [' tot en met ', h('time', { datetime: a.ends_on }, day(a.ends_on))] : null,
          ),
          h('h2', null, a.title || a.activity_id),
          a.description ? h('p', null, multiline(a.description)) : null,
          h(
            'p',
            { class: 'meta' },
            a.location ? `Waar: ${a.location}` : '',
            a.pillar_id ? `${a.location ? ' · ' : ''}${pillarName(names, a.pillar_id)}` : '',
            a.organiser_partner_id ? [a.location || a.pillar_id ? ' · ' : '', 'organisator ', partnerLink(names, a.organiser_partner_id)] : '',
          ),
        ),
      ),
    ),
  );
  return 'Agenda';
}
