// Small building blocks shared by the pages.
import { h, uid, type Child } from './dom';
import { statusClass, statusName, shorten } from './labels';
import type { Names } from './names';
import { partnerName } from './names';
import type { ActionStatus, ActionView } from './types';

export interface PageContext {
  /** Path parameters, e.g. the id of /partners/{id}. */
  params: string[];
  query: URLSearchParams;
  /** Aborted when the user leaves the page. */
  signal: AbortSignal;
  /** Runs when the user leaves the page (close feeds, destroy charts). */
  onLeave(fn: () => void): void;
  /** Shows the log position the page reflects ("stand: positie 412"). */
  setStand(position: string | undefined): void;
  /** Navigates inside the app (pushState + render). */
  navigate(url: string, replace?: boolean): void;
}

export type Page = (main: HTMLElement, ctx: PageContext) => Promise<string>; // resolves to the title

export function pageTitle(text: string, sub?: Node | string): HTMLElement {
  return h(
    'div',
    { class: 'paginakop' },
    h('h1', { tabindex: '-1', class: text.length > 70 ? 'lang' : undefined }, text),
    sub ? h('p', { class: 'ondertitel' }, sub) : null,
  );
}

export function statusBadge(status: ActionStatus | undefined): HTMLElement {
  return h('span', { class: `status status-${statusClass(status)}` }, statusName(status));
}

export function partnerLink(names: Names, id: string | undefined): Node {
  if (!id) return h('span', { class: 'geen' }, 'geen');
  return h('a', { href: `/partners/${encodeURIComponent(id)}` }, partnerName(names, id));
}

export function actionLink(action: { action_id?: string; title?: string }, max = 110): HTMLElement {
  const id = action.action_id ?? '';
  return h('a', { href: `/acties/${encodeURIComponent(id)}`, title: action.title && action.title.length > max ? action.title : undefined }, shorten(action.title || id, max));
}

export function errorBox(err: unknown): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  return h(
    'div',
    { class: 'melding fout', role: 'alert' },
    h('strong', null, 'Er ging iets mis. '),
    message,
  );
}

export function empty(text: string): HTMLElement {
  return h('p', { class: 'leeg' }, text);
}

export interface Option {
  value: string;
  label: string;
}

/** A labelled <select>. */
export function selectField(label: string, name: string, options: Option[], value: string, anyLabel = 'Alle'): { field: HTMLElement; select: HTMLSelectElement } {
  const id = uid(name);
  const select = h('select', { id, name });
  select.appendChild(h('option', { value: '' }, anyLabel));
  for (const option of options) {
    const el = h('option', { value: option.value }, option.label);
    if (option.value === value) el.selected = true;
    select.appendChild(el);
  }
  return { field: h('div', { class: 'veld' }, h('label', { for: id }, label), select), select };
}

/** A labelled <input>. */
export function inputField(label: string, name: string, type: string, value: string, extra: Record<string, string> = {}): { field: HTMLElement; input: HTMLInputElement } {
  const id = uid(name);
  const input = h('input', { id, name, type, value, ...extra });
  return { field: h('div', { class: 'veld' }, h('label', { for: id }, label), input), input };
}

/** A definition list from label/value pairs; empty values are left out. */
export function facts(pairs: [string, Child][]): HTMLElement {
  const dl = h('dl', { class: 'feiten' });
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    dl.appendChild(h('div', null, h('dt', null, term), h('dd', null, value)));
  }
  return dl;
}

/** A compact list of actions: title, status, penvoerder. */
export function actionList(names: Names, actions: ActionView[], emptyText: string, self?: string): HTMLElement {
  if (actions.length === 0) return empty(emptyText);
  return h(
    'ul',
    { class: 'actielijst' },
    actions.map((a) =>
      h(
        'li',
        null,
        h('div', { class: 'actietitel' }, actionLink(a)),
        h(
          'div',
          { class: 'actiemeta' },
          statusBadge(a.status),
          ' ',
          a.owner_partner_id
            ? a.owner_partner_id === self
              ? (a.partner_ids ?? []).length
                ? h('span', null, `met ${(a.partner_ids ?? []).map((p) => partnerName(names, p)).join(', ')}`)
                : h('span', null, 'zonder andere partners')
              : h('span', null, 'penvoerder ', partnerLink(names, a.owner_partner_id))
            : h('span', { class: 'waarschuwing' }, 'geen penvoerder'),
          a.result_count ? h('span', null, ` · ${a.result_count} ${a.result_count === 1 ? 'resultaat' : 'resultaten'}`) : null,
        ),
      ),
    ),
  );
}
