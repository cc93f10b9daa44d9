/**
 * Coalesces refreshes: events can arrive faster than a refetch completes (a tabular search finishes
 * hundreds of trials a second), so at most one refresh runs and at most one more is queued behind it.
 */
export function coalesce(refresh: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      await refresh();
    } while (again);
  };
  return () => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = run().finally(() => {
      running = undefined;
    });
    return running;
  };
}
