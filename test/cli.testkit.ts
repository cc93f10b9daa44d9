import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_ENTRY = fileURLToPath(new URL('../src/cli/entry.ts', import.meta.url));
const BUILT_ENTRY = fileURLToPath(new URL('../dist/cli/entry.js', import.meta.url));

/** The newest modification time of a source file under `dir` that the build compiles (tests are not). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/(?<!\.test|\.testkit)\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * How a test starts the CLI: the built JavaScript (`npm run build`, as CI does before the tests) when it
 * is newer than every source file, since it starts in less than half the CPU time of compiling the
 * sources on the fly; otherwise the sources through tsx, so a test never runs stale code.
 */
function cliCommand(): readonly string[] {
  const built = existsSync(BUILT_ENTRY) ? statSync(BUILT_ENTRY).mtimeMs : 0;
  return built > newestSource(join(ROOT, 'src')) ? [BUILT_ENTRY] : ['--import', 'tsx', SOURCE_ENTRY];
}

const ENTRY_ARGS = cliCommand();

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the naslab CLI (built, or from source through tsx) in a child process. */
export function startCli(args: readonly string[], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, [...ENTRY_ARGS, ...args], {
    cwd,
    env: { ...process.env, NASLAB_DB: undefined, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(args: readonly string[], cwd = ROOT): Promise<CliResult> {
  return finished(startCli(args, cwd));
}
