/** Shows (or clears, with undefined) the error banner under the header bar. */
export function showError(error: unknown): void {
  const banner = document.getElementById('error');
  if (banner === null) return;
  if (error === undefined) {
    banner.hidden = true;
    banner.textContent = '';
    return;
  }
  banner.hidden = false;
  banner.textContent = error instanceof Error ? error.message : String(error);
}

/** The live indicator in the header: whether the event stream is connected. */
export function setLive(text: string): void {
  const live = document.getElementById('live');
  if (live !== null) live.textContent = text;
}
