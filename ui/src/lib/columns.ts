// Which Events columns fit the results pane.
//
// Each row is a CSS grid with the same template: the fixed-width columns
// below take their width, Type and Resource share the rest. Optional columns appear only when
// the pane leaves Type (and Resource) enough room; the least useful go first.

export type ColumnId =
  | "occurred_at"
  | "type"
  | "category"
  | "severity"
  | "outcome"
  | "user"
  | "ip"
  | "resource"
  | "source";

export type Column = {
  id: ColumnId;
  label: string;
  /** The narrowest results pane (px) that shows this column; 0: always shown. */
  minPane: number;
  /** A grid track: fixed columns in px, the flexible ones share the rest. */
  width: string;
};

const FLEX = "minmax(0, 1fr)";

export const COLUMNS: readonly Column[] = [
  { id: "occurred_at", label: "Time (UTC)", minPane: 0, width: "168px" },
  { id: "type", label: "Type", minPane: 0, width: FLEX },
  { id: "category", label: "Category", minPane: 980, width: "104px" },
  { id: "severity", label: "Severity", minPane: 0, width: "80px" },
  { id: "outcome", label: "Outcome", minPane: 0, width: "96px" },
  { id: "user", label: "User", minPane: 0, width: "64px" },
  { id: "ip", label: "IP", minPane: 840, width: "112px" },
  { id: "resource", label: "Resource", minPane: 728, width: FLEX },
  { id: "source", label: "Source", minPane: 1080, width: "80px" },
];

/** The columns shown in a pane `width` px wide; every column before the pane is measured (0). */
export function visibleColumns(width: number): Column[] {
  if (!(width > 0)) return [...COLUMNS];
  return COLUMNS.filter((c) => width >= c.minPane);
}

/** The grid-template-columns every row of the table uses. */
export function gridTemplate(columns: readonly Column[]): string {
  return columns.map((c) => c.width).join(" ");
}
