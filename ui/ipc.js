// The page's only way out: the app's own commands, through Tauri's IPC. No other script,
// no network, no storage.

export function call(command, args = {}) {
  return window.__TAURI_INTERNALS__.invoke(command, args);
}
