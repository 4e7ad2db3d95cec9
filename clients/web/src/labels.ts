// Dutch names and formatting for what the API returns as codes.
import type { ActionStatus, GapKind } from './types';

export const STATUS_ORDER: ActionStatus[] = [
  'ACTION_STATUS_PLANNED',
  'ACTION_STATUS_IN_PROGRESS',
  'ACTION_STATUS_ONGOING',
  'ACTION_STATUS_EXTENDED',
  'ACTION_STATUS_CONTINUED_IN_REGULAR_WORK',
  'ACTION_STATUS_COMPLETED',
  'ACTION_STATUS_STOPPED',
];

const STATUS_NAMES: Record<ActionStatus, string> = {
  ACTION_STATUS_UNSPECIFIED: 'Onbekend',
  ACTION_STATUS_PLANNED: 'Gepland',
  ACTION_STATUS_IN_PROGRESS: 'Loopt',
  ACTION_STATUS_ONGOING: 'Doorlopend',
  ACTION_STATUS_EXTENDED: 'Verlengd',
  ACTION_STATUS_CONTINUED_IN_REGULAR_WORK: 'Voortgezet in reguliere werk',
  ACTION_STATUS_COMPLETED: 'Afgerond',
  ACTION_STATUS_STOPPED: 'Gestopt',
};

/** A short CSS class per status (badge colours in styles.css). */
const STATUS_CLASS: Record<ActionStatus, string> = {
  ACTION_STATUS_UNSPECIFIED: 'onbekend',
  ACTION_STATUS_PLANNED: 'gepland',
  ACTION_STATUS_IN_PROGRESS: 'loopt',
  ACTION_STATUS_ONGOING: 'doorlopend',
  ACTION_STATUS_EXTENDED: 'verlengd',
  ACTION_STATUS_CONTINUED_IN_REGULAR_WORK: 'regulier',
  ACTION_STATUS_COMPLETED: 'afgerond',
  ACTION_STATUS_STOPPED: 'gestopt',
};

/** Chart colours per status: distinguishable, and dark enough against white (≥ 3:1). */
export const STATUS_COLOURS: Record<ActionStatus, string> = {
  ACTION_STATUS_UNSPECIFIED: '#6b7280',
  ACTION_STATUS_PLANNED: '#7c3aed',
  ACTION_STATUS_IN_PROGRESS: '#1d4ed8',
  ACTION_STATUS_ONGOING: '#0e7490',
  ACTION_STATUS_EXTENDED: '#b45309',
  ACTION_STATUS_CONTINUED_IN_REGULAR_WORK: '#4d7c0f',
  ACTION_STATUS_COMPLETED: '#15803d',
  ACTION_STATUS_STOPPED: '#b91c1c',
};

export function statusName(status: ActionStatus | undefined): string {
  return STATUS_NAMES[status ?? 'ACTION_STATUS_UNSPECIFIED'] ?? String(status);
}

export function statusClass(status: ActionStatus | undefined): string {
  return STATUS_CLASS[status ?? 'ACTION_STATUS_UNSPECIFIED'] ?? 'onbekend';
}

export const GAP_NAMES: Record<GapKind, string> = {
  GAP_KIND_UNSPECIFIED: 'Overig',
  GAP_KIND_NO_OWNER: 'Geen penvoerder',
  GAP_KIND_OWNER_LEFT: 'Penvoerder vertrokken',
  GAP_KIND_STALE: 'Geen voortgang',
  GAP_KIND_GOAL_WITHOUT_ACTION: 'Doel zonder actie',
};

const SECTOR_NAMES: Record<string, string> = {
  'onderwijs-po': 'Primair onderwijs',
  'onderwijs-vo': 'Voortgezet onderwijs',
  politie: 'Politie',
  jeugdgezondheid: 'Jeugdgezondheid',
  gemeente: 'Gemeente',
  stichting: 'Stichting',
  hogeschool: 'Hogeschool',
  afvalbeheer: 'Afvalbeheer',
  bewoners: 'Bewoners',
  welzijn: 'Welzijn',
  fonds: 'Fonds',
  kinderopvang: 'Kinderopvang',
  overig: 'Overig',
  bibliotheek: 'Bibliotheek',
  ggz: 'GGZ',
  zorg: 'Zorg',
  woningcorporatie: 'Woningcorporatie',
  wonen: 'Wonen',
  onderwijs: 'Onderwijs',
};

export function sectorName(sector: string | undefined): string {
  if (!sector) return 'Onbekend';
  return SECTOR_NAMES[sector] ?? capitalise(sector.replace(/-/g, ' '));
}

/** Sectors grouped into a few families, so a graph can colour them distinguishably. */
const SECTOR_FAMILY: Record<string, string> = {
  'onderwijs-po': 'Onderwijs en kinderopvang',
  'onderwijs-vo': 'Onderwijs en kinderopvang',
  onderwijs: 'Onderwijs en kinderopvang',
  hogeschool: 'Onderwijs en kinderopvang',
  kinderopvang: 'Onderwijs en kinderopvang',
  bibliotheek: 'Onderwijs en kinderopvang',
  zorg: 'Zorg en welzijn',
  ggz: 'Zorg en welzijn',
  jeugdgezondheid: 'Zorg en welzijn',
  welzijn: 'Zorg en welzijn',
  woningcorporatie: 'Wonen en leefomgeving',
  wonen: 'Wonen en leefomgeving',
  afvalbeheer: 'Wonen en leefomgeving',
  gemeente: 'Gemeente en politie',
  politie: 'Gemeente en politie',
  stichting: 'Stichtingen en fondsen',
  fonds: 'Stichtingen en fondsen',
  bewoners: 'Bewoners',
};

export function sectorFamily(sector: string | undefined): string {
  if (!sector) return 'Sector onbekend';
  return SECTOR_FAMILY[sector] ?? 'Overig';
}

const ROLE_NAMES: Record<string, string> = {
  bestuur: 'Bestuurslid',
  trekker: 'Trekker',
  voorzitter: 'Voorzitter',
  betrokken: 'Betrokken bij',
  medefinancier: 'Medefinancier',
  organisator: 'Organisator',
  penvoerder: 'Penvoerder',
};

/** "trekker:jeugd-en-onderwijs" → "Trekker Jeugd en onderwijs" (with the pillar's own name). */
export function roleName(role: string, pillarNames?: Map<string, string>): string {
  const [kind, subject] = role.split(':', 2);
  const kindName = ROLE_NAMES[kind] ?? capitalise(kind.replace(/-/g, ' '));
  if (!subject) return kindName;
  const subjectName = pillarNames?.get(subject) ?? subject.replace(/-/g, ' ');
  if (kind === 'voorzitter' && subject === 'bestuur') return 'Voorzitter van het bestuur';
  return `${kindName} ${subjectName}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- Numbers, dates and money -----------------------------------------------------------------

const numberFormat = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 2 });
const moneyFormat = new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' });
const dayFormat = new Intl.DateTimeFormat('nl-NL', { day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat('nl-NL', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const clockFormat = new Intl.DateTimeFormat('nl-NL', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function num(value: number | undefined): string {
  return numberFormat.format(value ?? 0);
}

export function money(cents: string | number | undefined): string {
  const n = typeof cents === 'string' ? Number(cents) : (cents ?? 0);
  return moneyFormat.format(n / 100);
}

/** "2024-03-01" → "1 maart 2024"; other text (e.g. "2024") is shown as given. */
export function day(date: string | undefined): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  return dayFormat.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12)));
}

/** A recorded_at timestamp in local time, e.g. "23 nov 2026 19:58". */
export function moment(ts: string | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : timeFormat.format(d);
}

export function clock(ts: string | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : clockFormat.format(d);
}

/** How long ago, in words ("vandaag", "3 dagen geleden", "2 maanden geleden"). */
export function ago(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '';
  const d = new Date(ts).getTime();
  if (Number.isNaN(d)) return '';
  const days = Math.floor((now - d) / 86_400_000);
  if (days <= 0) return 'vandaag';
  if (days === 1) return 'gisteren';
  if (days < 31) return `${days} dagen geleden`;
  const months = Math.floor(days / 30.4);
  if (months < 12) return months === 1 ? '1 maand geleden' : `${months} maanden geleden`;
  const years = Math.floor(days / 365.25);
  return years === 1 ? '1 jaar geleden' : `${years} jaar geleden`;
}

/** " kinderen" after a number, but "%" without a space. */
export function unitSuffix(unit: string | undefined): string {
  if (!unit) return '';
  return unit === '%' ? '%' : ` ${unit}`;
}

/** Shortens long text at a word boundary. */
export function shorten(text: string | undefined, max = 90): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:…]+$/, '')}…`;
}

/** "resultaat" and "resultaten" etc. */
export function plural(n: number | undefined, one: string, many: string): string {
  const count = n ?? 0;
  return `${num(count)} ${count === 1 ? one : many}`;
}
