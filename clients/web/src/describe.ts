// One human-readable Dutch line per event type, for the live feed.
import { day, money, num, shorten, statusName, unitSuffix } from './labels';
import { goalTitle, partnerName, pillarName, type ActionInfo, type Names } from './names';
import type { ActionStatus, LogEvent } from './types';

export interface Described {
  /** The line, e.g. "Resultaat vastgelegd bij actie Taalmaatjes: 40 kinderen bereikt". */
  text: string;
  /** Where to read more in the dashboard, if anywhere. */
  href?: string;
  /** A short Dutch name of the kind of event, for the badge. */
  kind: string;
}

type Fields = Record<string, unknown>;

const str = (f: Fields, k: string): string => (typeof f[k] === 'string' ? (f[k] as string) : '');
const numOf = (f: Fields, k: string): number | undefined => (typeof f[k] === 'number' ? (f[k] as number) : typeof f[k] === 'string' && f[k] !== '' && !Number.isNaN(Number(f[k])) ? Number(f[k]) : undefined);

export function describe(event: LogEvent, names: Names | undefined, titles: Map<string, ActionInfo>): Described {
  const payload = event.payload ?? {};
  const key = Object.keys(payload)[0] ?? '';
  const f: Fields = (payload[key] as Fields) ?? {};
  const partner = (id: string) => (names ? partnerName(names, id) : id) || id;
  const pillar = (id: string) => (names ? pillarName(names, id) : id) || id;
  const action = (id: string) => shorten(titles.get(id)?.title ?? id, 80).replace(/\.+$/, '');
  const actionHref = (id: string) => `/acties/${encodeURIComponent(id)}`;
  const partnerHref = (id: string) => `/partners/${encodeURIComponent(id)}`;
  const on = (k = 'occurred_on') => (str(f, k) ? ` (${day(str(f, k))})` : '');

  switch (event.type) {
    case 'ProgrammeDescribed':
      return { kind: 'Programma', text: `Programma beschreven: ${str(f, 'name')}${str(f, 'area') ? ` in ${str(f, 'area')}` : ''}`, href: '/' };
    case 'PillarDefined':
      return { kind: 'Pijler', text: `Pijler vastgelegd: ${str(f, 'name')}`, href: '/' };
    case 'GoalDefined':
      return { kind: 'Doel', text: `Doel vastgelegd bij pijler ${pillar(str(f, 'pillar_id'))}: ${str(f, 'title')}`, href: `/acties?doel=${encodeURIComponent(str(f, 'goal_id'))}` };
    case 'KpiDefined': {
      const unit = unitSuffix(str(f, 'unit'));
      return { kind: 'KPI', text: `KPI vastgelegd bij pijler ${pillar(str(f, 'pillar_id'))}: ${str(f, 'name')} — nulmeting ${num(numOf(f, 'baseline'))}${unit}, streefcijfer na 10 jaar ${num(numOf(f, 'target_10y'))}${unit}`, href: '/' };
    }
    case 'MeasurementRecorded':
      return { kind: 'Meting', text: `Meting vastgelegd voor KPI ${names?.kpiName.get(str(f, 'kpi_id')) ?? str(f, 'kpi_id')}: ${num(numOf(f, 'value'))}${str(f, 'period') ? ` over ${str(f, 'period')}` : ''}${str(f, 'source') ? ` (bron: ${str(f, 'source')})` : ''}`, href: '/' };
    case 'PartnerJoined':
      return { kind: 'Partner', text: `Nieuwe partner: ${str(f, 'name') || partner(str(f, 'partner_id'))}${on()}`, href: partnerHref(str(f, 'partner_id')) };
    case 'PartnerProfileUpdated':
      return { kind: 'Partner', text: `Profiel bijgewerkt van ${str(f, 'name') || partner(str(f, 'partner_id'))}`, href: partnerHref(str(f, 'partner_id')) };
    case 'PartnerLeft':
      return { kind: 'Partner', text: `${partner(str(f, 'partner_id'))} heeft het programma verlaten${str(f, 'reason') ? `: ${str(f, 'reason')}` : ''}${on()}`, href: partnerHref(str(f, 'partner_id')) };
    case 'ActionStarted': {
      const owner = str(f, 'owner_partner_id');
      return {
        kind: 'Actie',
        text: `Actie gestart: ${shorten(str(f, 'title') || str(f, 'action_id'), 80)}${names && str(f, 'goal_id') ? ` (doel ${goalTitle(names, str(f, 'goal_id'))})` : ''} — ${owner ? `penvoerder ${partner(owner)}` : 'nog zonder penvoerder'}`,
        href: actionHref(str(f, 'action_id')),
      };
    }
    case 'PartnerJoinedAction':
      return { kind: 'Actie', text: `${partner(str(f, 'partner_id'))} doet mee aan actie ${action(str(f, 'action_id'))}${str(f, 'role') ? ` als ${str(f, 'role')}` : ''}`, href: actionHref(str(f, 'action_id')) };
    case 'OwnershipTransferred':
      return { kind: 'Penvoerder', text: `${partner(str(f, 'to_partner_id'))} is nu penvoerder van actie ${action(str(f, 'action_id'))}${str(f, 'from_partner_id') ? ` (was ${partner(str(f, 'from_partner_id'))})` : ''}`, href: actionHref(str(f, 'action_id')) };
    case 'ResultRecorded': {
      const value = numOf(f, 'value');
      const figure = value !== undefined ? ` (${num(value)}${unitSuffix(str(f, 'unit'))})` : '';
      return { kind: 'Resultaat', text: `Resultaat vastgelegd bij actie ${action(str(f, 'action_id'))}: ${shorten(str(f, 'summary'), 200)}${figure}${on()}`, href: actionHref(str(f, 'action_id')) };
    }
    case 'ActionStatusChanged':
      return { kind: 'Status', text: `Status van actie ${action(str(f, 'action_id'))} gewijzigd in ${statusName(str(f, 'status') as ActionStatus)}${str(f, 'note') ? `: ${shorten(str(f, 'note'), 120)}` : ''}`, href: actionHref(str(f, 'action_id')) };
    case 'CapacityCommitted':
      return { kind: 'Inzet', text: `${partner(str(f, 'partner_id'))} zet ${num(numOf(f, 'hours_per_week'))} uur per week in voor actie ${action(str(f, 'action_id'))}`, href: actionHref(str(f, 'action_id')) };
    case 'FundsAllocated':
      return { kind: 'Middelen', text: `${money(numOf(f, 'amount_cents'))} toegekend aan actie ${action(str(f, 'action_id'))}${str(f, 'source') ? ` uit ${str(f, 'source')}` : ''}${str(f, 'partner_id') ? `, van ${partner(str(f, 'partner_id'))}` : ''}`, href: actionHref(str(f, 'action_id')) };
    case 'DecisionRecorded':
      return { kind: 'Besluit', text: `Besluit${str(f, 'body') ? ` van ${str(f, 'body')}` : ''}: ${shorten(str(f, 'title'), 160)}` };
    case 'ActivityScheduled':
      return { kind: 'Agenda', text: `In de agenda: ${str(f, 'title')}${str(f, 'starts_on') ? ` op ${day(str(f, 'starts_on'))}` : ''}${str(f, 'location') ? ` in ${str(f, 'location')}` : ''}`, href: '/agenda?van=2000-01-01' };
    case 'SignalRaised':
      return { kind: 'Signaal', text: `Signaal uit de wijk${str(f, 'pillar_id') ? ` (${pillar(str(f, 'pillar_id'))})` : ''}: ${shorten(str(f, 'summary'), 160)}${str(f, 'source') ? ` — via ${str(f, 'source')}` : ''}` };
    default:
      return { kind: 'Gebeurtenis', text: `${event.type ?? 'Onbekende gebeurtenis'} in ${event.stream ?? 'onbekende stroom'}` };
  }
}
