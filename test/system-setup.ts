import { SYSTEM_NEEDS, skippedSummary, systemRequired } from './system.testkit.js';

/**
 * Vitest global setup: fails at once under NASLAB_REQUIRE_SYSTEM when a system package is missing (CI
 * installs them all), and otherwise names what the run skips, once, after the results.
 */
export default function setup(): () => void {
  const missing = SYSTEM_NEEDS.filter((n) => !n.available());
  if (systemRequired() && missing.length > 0) {
    throw new Error(
      `NASLAB_REQUIRE_SYSTEM is set but these are missing: ${missing.map((n) => `${n.name} (${n.enable})`).join('; ')}`,
    );
  }
  return () => {
    const summary = skippedSummary();
    if (summary !== undefined) process.stdout.write(`\n${summary}\n`);
  };
}
