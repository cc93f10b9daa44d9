#!/usr/bin/env bash
# The suite's slowest files (child processes, kills, training, queues) run again with every core kept
# busy by spinning processes: a test whose outcome depends on the machine's speed fails here, not on a
# user's loaded laptop. Extra arguments go to vitest (e.g. other files).
set -euo pipefail
cd "$(dirname "$0")/.."
pids=()
for _ in $(seq "$(nproc)"); do
  node -e 'for (;;) {}' &
  pids+=("$!")
done
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
files=(
  test/cli.test.ts
  test/resume.test.ts
  test/robustness-kill.test.ts
  test/train-search.test.ts
  test/dist-workers.test.ts
)
npx vitest run "${files[@]}" "$@"
