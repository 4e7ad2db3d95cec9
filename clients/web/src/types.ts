// The JSON answers of the gateway: the protobuf JSON mapping of proto/wijkboek/v1/views.proto and
// eventlog.proto with snake_case field names. Zero and empty fields are left out of the JSON, so
// every field is optional here; 64-bit integers arrive as strings, enums as their names.

export type ActionStatus =
  | 'ACTION_STATUS_UNSPECIFIED'
  | 'ACTION_STATUS_PLANNED'
  | 'ACTION_STATUS_IN_PROGRESS'
  | 'ACTION_STATUS_ONGOING'
  | 'ACTION_STATUS_EXTENDED'
  | 'ACTION_STATUS_CONTINUED_IN_REGULAR_WORK'
  | 'ACTION_STATUS_COMPLETED'
  | 'ACTION_STATUS_STOPPED';

export type U64 = string; // uint64 / int64 as a JSON string
export type Timestamp = string; // RFC 3339, e.g. "2026-11-23T19:58:21.343384Z"

export interface ResultView {
  action_id?: string;
  result_id?: string;
  summary?: string;
  value?: number;
  unit?: string;
  occurred_on?: string;
  recorded_at?: Timestamp;
  position?: U64;
  recorded_by?: string;
}

export interface StatusChange {
  status?: ActionStatus;
  note?: string;
  occurred_on?: string;
  recorded_at?: Timestamp;
  position?: U64;
}

export interface CapacityView {
  partner_id?: string;
  hours_per_week?: number;
}

export interface ActionView {
  action_id?: string;
  goal_id?: string;
  pillar_id?: string;
  title?: string;
  owner_partner_id?: string;
  partner_ids?: string[];
  status?: ActionStatus;
  results?: ResultView[];
  description?: string;
  status_history?: StatusChange[];
  planned_start?: string;
  planned_end?: string;
  started_on?: string;
  capacity?: CapacityView[];
  hours_per_week?: number;
  funds_cents?: U64;
  last_activity_at?: Timestamp;
  last_activity_position?: U64;
  result_count?: number;
  owner_left?: boolean;
}

export interface Collaborator {
  partner_id?: string;
  name?: string;
  shared_actions?: number;
}

export interface PartnerView {
  partner_id?: string;
  name?: string;
  sector?: string;
  roles?: string[];
  owned_action_ids?: string[];
  member_action_ids?: string[];
  collaborators?: Collaborator[];
  website?: string;
  active?: boolean;
  joined_on?: string;
  left_on?: string;
  last_activity_at?: Timestamp;
  last_activity_position?: U64;
}

export interface GoalView {
  goal_id?: string;
  pillar_id?: string;
  title?: string;
  number?: number;
  action_ids?: string[];
}

export interface StatusCount {
  status?: ActionStatus;
  count?: number;
}

export interface MeasurementView {
  measurement_id?: string;
  value?: number;
  period?: string;
  source?: string;
  occurred_on?: string;
  recorded_at?: Timestamp;
  position?: U64;
}

export interface KpiView {
  kpi_id?: string;
  pillar_id?: string;
  goal_id?: string;
  name?: string;
  unit?: string;
  baseline?: number;
  target_10y?: number;
  target_20y?: number;
  higher_is_better?: boolean;
  measurements?: MeasurementView[];
  latest_value?: number;
  progress_10y_percent?: number;
  progress_20y_percent?: number;
}

export interface PillarView {
  pillar_id?: string;
  name?: string;
  ambition?: string;
  goals?: GoalView[];
  actions_by_status?: StatusCount[];
  latest_results?: ResultView[];
  kpis?: KpiView[];
  action_count?: number;
  result_count?: number;
}

export interface ActivityView {
  activity_id?: string;
  title?: string;
  description?: string;
  starts_on?: string;
  ends_on?: string;
  location?: string;
  pillar_id?: string;
  organiser_partner_id?: string;
}

export interface ProgrammeResponse {
  name?: string;
  ambition?: string;
  pillars?: PillarView[];
  partner_count?: number;
  action_count?: number;
  result_count?: number;
  as_of_position?: U64;
  area?: string;
  municipality?: string;
  horizon_year?: number;
}

export interface PartnersResponse {
  partners?: PartnerView[];
  as_of_position?: U64;
}

export interface PartnerResponse {
  partner?: PartnerView;
  owned_actions?: ActionView[];
  member_actions?: ActionView[];
  as_of_position?: U64;
}

export interface ActionsResponse {
  actions?: ActionView[];
  next_page_token?: string;
  as_of_position?: U64;
  total_count?: number;
}

export interface ActionResponse {
  action?: ActionView;
  as_of_position?: U64;
}

export interface CollaborationNode {
  partner_id?: string;
  name?: string;
  sector?: string;
  action_count?: number;
}

export interface CollaborationEdge {
  partner_a?: string;
  partner_b?: string;
  shared_actions?: number;
  action_ids?: string[];
}

export interface CollaborationResponse {
  nodes?: CollaborationNode[];
  edges?: CollaborationEdge[];
  as_of_position?: U64;
}

export type GapKind =
  | 'GAP_KIND_UNSPECIFIED'
  | 'GAP_KIND_NO_OWNER'
  | 'GAP_KIND_OWNER_LEFT'
  | 'GAP_KIND_STALE'
  | 'GAP_KIND_GOAL_WITHOUT_ACTION';

export interface OwnershipGap {
  kind?: GapKind;
  action_id?: string;
  goal_id?: string;
  pillar_id?: string;
  title?: string;
  owner_partner_id?: string;
  days_since_activity?: number;
  reason?: string;
}

export interface OwnershipGapsResponse {
  gaps?: OwnershipGap[];
  as_of_position?: U64;
}

export interface KpisResponse {
  kpis?: KpiView[];
  as_of_position?: U64;
}

export interface AgendaResponse {
  activities?: ActivityView[];
  as_of_position?: U64;
}

export interface FundsLine {
  id?: string;
  name?: string;
  amount_cents?: U64;
}

export interface FundsResponse {
  by_pillar?: FundsLine[];
  by_partner?: FundsLine[];
  by_source?: FundsLine[];
  total_cents?: U64;
  as_of_position?: U64;
}

// ---- The live feed: one stored Event (eventlog.proto) per SSE message ----------------------

/** The payload: exactly one of the domain events, keyed by its snake_case field name. */
export type Payload = Record<string, Record<string, unknown> | undefined>;

export interface LogEvent {
  position?: U64;
  stream?: string;
  stream_revision?: U64;
  event_id?: string;
  type?: string;
  recorded_at?: Timestamp;
  recorded_by?: string;
  metadata?: Record<string, string>;
  payload?: Payload;
}
