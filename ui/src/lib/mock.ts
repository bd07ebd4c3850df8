// Development-only fixture backend, used by `npm run dev` in a plain browser
// (no Tauri). Never part of a production build (guarded by import.meta.env.DEV).
export async function call(name: string, _args: Record<string, unknown>): Promise<unknown> {
  throw { code: "unavailable", message: `${name}: no backend outside Tauri`, position: null };
}
export function listen(_event: string, _handler: (p: unknown) => void): () => void {
  return () => {};
}
