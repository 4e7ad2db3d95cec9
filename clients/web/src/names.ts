// The names pages need to turn ids into words: pillars, goals, partners and the programme.
// Loaded once and kept for a short while; the live feed teaches it new names as they happen.
import { getJson } from './api';
import type { ActionsResponse, GoalView, PartnerView, PartnersResponse, ProgrammeResponse } from './types';

export interface Names {
  programme: ProgrammeResponse;
  partners: PartnerView[];
  pillarName: Map<string, string>;
  goal: Map<string, GoalView>;
  partnerName: Map<string, string>;
  kpiName: Map<string, string>;
}

const MAX_AGE_MS = 15_000;
let cache: { at: number; promise: Promise<Names> } | null = null;

export function loadNames(force = false): Promise<Names> {
  const now = Date.now();
  if (!force && cache && now - cache.at < MAX_AGE_MS) return cache.promise;
  const promise = (async () => {
    const [programme, partners] = await Promise.all([
      getJson<ProgrammeResponse>('programme'),
      getJson<PartnersResponse>('partners', { include_left: 'true' }),
    ]);
    const names: Names = {
      programme,
      partners: partners.partners ?? [],
      pillarName: new Map(),
      goal: new Map(),
      partnerName: new Map(),
      kpiName: new Map(),
    };
    for (const pillar of programme.pillars ?? []) {
      if (!pillar.pillar_id) continue;
      names.pillarName.set(pillar.pillar_id, pillar.name || pillar.pillar_id);
      for (const goal of pillar.goals ?? []) {
        if (goal.goal_id) names.goal.set(goal.goal_id, goal);
      }
      for (const kpi of pillar.kpis ?? []) {
        if (kpi.kpi_id) names.kpiName.set(kpi.kpi_id, kpi.name || kpi.kpi_id);
      }
    }
    for (const partner of names.partners) {
      if (partner.partner_id) names.partnerName.set(partner.partner_id, partner.name || partner.partner_id);
    }
    return names;
  })();
  cache = { at: now, promise };
  promise.catch(() => {
    if (cache?.promise === promise) cache = null;
  });
  return promise;
}

export function pillarName(names: Names, id: string | undefined): string {
  if (!id) return '';
  return names.pillarName.get(id) ?? id;
}

export function goalTitle(names: Names, id: string | undefined): string {
  if (!id) return '';
  const goal = names.goal.get(id);
  if (!goal) return id;
  return goal.number ? `${goal.number}. ${goal.title ?? id}` : (goal.title ?? id);
}

export function partnerName(names: Names, id: string | undefined): string {
  if (!id) return '';
  return names.partnerName.get(id) ?? id;
}

// ---- Action titles (results and gaps name only the action's id) ------------------------------

export interface ActionInfo {
  title: string;
  pillar_id?: string;
  goal_id?: string;
  owner_partner_id?: string;
}

let titlesCache: { at: number; promise: Promise<Map<string, ActionInfo>> } | null = null;

/** All actions' titles, in at most a few requests (page_size 500). */
export function loadActionTitles(force = false): Promise<Map<string, ActionInfo>> {
  const now = Date.now();
  if (!force && titlesCache && now - titlesCache.at < MAX_AGE_MS) return titlesCache.promise;
  const promise = (async () => {
    const map = new Map<string, ActionInfo>();
    let token = '';
    for (let page = 0; page < 20; page++) {
      const answer = await getJson<ActionsResponse>('actions', { page_size: 500, page_token: token || undefined });
      for (const a of answer.actions ?? []) {
        if (a.action_id) map.set(a.action_id, { title: a.title || a.action_id, pillar_id: a.pillar_id, goal_id: a.goal_id, owner_partner_id: a.owner_partner_id });
      }
      token = answer.next_page_token ?? '';
      if (!token) break;
    }
    return map;
  })();
  titlesCache = { at: now, promise };
  promise.catch(() => {
    if (titlesCache?.promise === promise) titlesCache = null;
  });
  return promise;
}

export function actionTitle(titles: Map<string, ActionInfo> | undefined, id: string | undefined): string {
  if (!id) return '';
  return titles?.get(id)?.title ?? id;
}
