/**
 * First SIGINT/SIGTERM: stop asking for new trials, let the store record what finished, exit 130.
 * Second: leave at once (the SQLite store is transactional, so nothing is half-written).
 */
export function abortOnSignals(onFirst: (signal: NodeJS.Signals) => void): AbortController {
  const controller = new AbortController();
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nnaslab: ${signal} received, stopping (again to quit at once)\n`);
      onFirst(signal);
      controller.abort(signal);
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return controller;
}
