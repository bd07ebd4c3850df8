// Local mirrors of the Rust serde shapes (as the CLI prints them with --json).
// When the ts-rs bindings land in ../bindings/, these can become re-exports.

export type IpcError = { code: string; message: string; position: number | null };

export type Theme = "light" | "dark" | "system";

export type AppStatus = {
  vault_exists: boolean;
  unlocked: boolean;
  vault_dir: string;
  demo_exists: boolean;
  keychain_available: boolean;
  remembered: boolean;
  version: string;
};

export type Overview = {
  events: number;
  versions: number;
  imports: number;
  first_event_at: string | null;
  last_event_at: string | null;
  by_source: [string, number][];
  by_category: [string, number][];
  by_severity: [string, number][];
  by_outcome: [string, number][];
  schema_version: number;
};

export type Count = { name: string; count: number };
export type Bucket = { start: string; count: number; high: number };

export type SearchHit = {
  id: string;
  source: string;
  occurred_at: string;
  type: string;
  category: string;
  severity: string;
  outcome: string;
  user: string | null;
  user_id: string | null;
  user_email: string | null;
  user_name: string | null;
  user_role: string | null;
  ip: string | null;
  route: string | null;
  resource_type: string | null;
  resource_id: string | null;
  resource_name: string | null;
  action: string | null;
  description: string | null;
  request_id: string | null;
  session_id: string | null;
  org_id: string | null;
  env_id: string | null;
  tags: string[];
  details: unknown;
};

export type RangeName = "24h" | "7d" | "30d" | "custom";

export type Dashboard = {
  from: string;
  to: string;
  anchored_to: string; // "now" | "newest_event"
  total: number;
  critical_error: number;
  warning: number;
  active_users: number;
  categories: Count[];
  top_types: Count[];
  recent_high: SearchHit[];
  bucket_seconds: number;
  series: Bucket[];
};

export type FacetName = "category" | "severity" | "outcome" | "type" | "user" | "day";
export type Facets = Record<FacetName, Record<string, number>>;

export type SearchPage = {
  total: number;
  sort: string;
  offset: number;
  events: SearchHit[];
  next_cursor: string | null;
  facets?: Facets | null;
};

export type QueryField = { name: string; description: string; example: string };

export type Actor = {
  user_id: string | null;
  email: string | null;
  name: string | null;
  role: string | null;
};

export type StatusChange = { status: string; observed_at: string };

/** StoredEvent: AuditEvent and EventBody are #[serde(flatten)]ed into it. */
export type StoredEvent = {
  source: string;
  id: string;
  occurred_at: string;
  type: string;
  category: string;
  severity: string;
  outcome: string;
  actor: Actor;
  ip: string | null;
  route: string | null;
  resource_type: string | null;
  resource_id: string | null;
  resource_name: string | null;
  action: string | null;
  description: string | null;
  request_id: string | null;
  session_id: string | null;
  stack: string | null;
  region: string | null;
  org_id: string | null;
  env_id: string | null;
  tags: string[];
  details: unknown;
  raw: unknown;
  content_hash: string;
  first_seen_at: string;
  last_changed_at: string;
};

/** EventDetail has `#[serde(flatten)] event`, so the event fields sit at the top level. */
export type EventDetail = StoredEvent & { status_history: StatusChange[]; versions: number };

export type ExportFormat = "csv" | "xlsx" | "json";
export type ExportSummary = { path: string; rows: number; sha256: string };

export type Bookmark = {
  event_id: string;
  source: string;
  occurred_at: string;
  type: string;
  severity: string;
  outcome: string;
  user: string | null;
  note: string;
  tags: string[];
  cases: string[];
  created_at: string;
  updated_at: string;
};

export type Case = {
  name: string;
  description: string;
  status: string;
  created_at: string;
  closed_at: string | null;
  bookmarks: number;
};

export type Timeline = { case: Case; timeline: Bookmark[] };

export type SavedSearch = { name: string; query: string; created_at: string; updated_at: string };

export type SyncProgress = {
  source: string;
  run_id?: number;
  pages: number;
  events: number;
  new: number;
  updated: number;
  unchanged?: number;
  requests?: number;
  events_per_second: number;
  requests_per_second?: number;
  fraction: number;
  eta_seconds: number | null;
};

export type ReportProgress = { stage: string; fraction: number };

export type ReportType = "sox" | "gdpr" | "hipaa" | "iso27001" | "pci" | "custom";

export type StoredReport = {
  id: number;
  name: string;
  type: string;
  period_start: string;
  period_end: string;
  scope: string;
  as_of: string;
  status: string;
  progress: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  events: number | null;
  merkle_root: string | null;
  pages: number | null;
  pdf_sha256: string | null;
};

export type SyncRun = {
  id: number;
  source: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  window_start: string | null;
  window_stop: string | null;
  pages: number;
  next_page: number | null;
  requests: number;
  retries: number;
  events: number;
  new: number;
  updated: number;
  unchanged: number;
  resumes: number;
  error: string | null;
};

export type SourceInfo = {
  name: string;
  kind: string;
  created_at: string;
  host: string | null;
  organization_id: string | null;
  client_id: string | null;
  key_id: string | null;
  algorithm: string | null;
  events: number;
  watermark: string | null;
  last_run: SyncRun | null;
};

export type ActivityEntry = {
  seq: number;
  at: string;
  action: string;
  subject: string;
  detail: unknown;
  hash: string;
};

// Results the UI treats opaquely (shapes owned by the Rust side).
export type CaseBundle = Record<string, unknown>;
export type Verification = Record<string, unknown>;
export type ConnectionTest = Record<string, unknown>;
export type Removed = Record<string, unknown>;
