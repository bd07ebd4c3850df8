/** The UI theme (a UI-only setting, kept in localStorage). */
export type Theme = "light" | "dark" | "system";

export const THEME_KEY = "auditdesk.theme";

export function parseTheme(value: string | null | undefined): Theme {
  return value === "light" || value === "dark" || value === "system" ? value : "system";
}

export function loadTheme(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): Theme {
  try {
    return parseTheme(storage?.getItem(THEME_KEY));
  } catch {
    return "system";
  }
}

export function saveTheme(theme: Theme, storage: Pick<Storage, "setItem"> | undefined = globalThis.localStorage) {
  try {
    storage?.setItem(THEME_KEY, theme);
  } catch {
    /* storage unavailable: the choice lasts for this session only */
  }
}

/** "system" leaves the choice to prefers-color-scheme (no attribute). */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement) {
  if (theme === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
}
