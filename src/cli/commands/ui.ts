import { InvalidArgumentError, type Command } from 'commander';
import { startUiServer, type UiServer } from '../../ui/server/index.js';
import { DB_HELP, collect, dbPath } from '../options.js';
import { EXIT, info, printJson, type OutputFlags } from '../output.js';
import { abortOnSignals } from '../signals.js';

export interface UiFlags extends OutputFlags {
  readonly db?: string;
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  /** Names beyond loopback and --host that the dashboard answers to (a reverse proxy's). */
  readonly allowHost?: readonly string[];
}

export const DEFAULT_UI_PORT = 8080;
export const DEFAULT_UI_HOST = '127.0.0.1';
/** The token can come from the environment: a command line is visible to every user of the machine. */
export const TOKEN_ENV = 'NASLAB_UI_TOKEN';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(
      `--port must be an integer from 0 to 65535 (0 picks a free port), got "${value}"`,
    );
  }
  return n;
}

/** Starts the server; resolves once it is listening (tests call this, then close the server). */
export function startUi(flags: UiFlags): Promise<UiServer> {
  const token = flags.token ?? process.env[TOKEN_ENV];
  return startUiServer({
    db: dbPath(flags.db),
    port: flags.port ?? DEFAULT_UI_PORT,
    host: flags.host ?? DEFAULT_UI_HOST,
    ...(flags.allowHost === undefined ? {} : { allowedHosts: flags.allowHost }),
    ...(token === undefined ? {} : { token }),
  });
}

/** Serves until SIGINT or SIGTERM, then closes cleanly (exit 0: stopping is how a server ends). */
export async function uiCommand(flags: UiFlags): Promise<number> {
  const server = await startUi(flags);
  const db = dbPath(flags.db);
  if (flags.json) printJson({ url: server.openUrl, port: server.port, db });
  else info(flags, `naslab ui: ${db} at ${server.openUrl} (read-only; Ctrl-C to stop)`);
  await new Promise<void>((resolve) => abortOnSignals(() => resolve()));
  await server.close();
  return EXIT.ok;
}

/** Adds `naslab ui` to the program. */
export function registerUiCommand(program: Command): void {
  program
    .command('ui')
    .description('serve the dashboard: experiments, trials, curves and architectures, live while runs write')
    .option('--db <path>', DB_HELP)
    .option('--port <n>', `port (default ${DEFAULT_UI_PORT}; 0 picks a free one)`, port)
    .option('--host <address>', `address to bind (default ${DEFAULT_UI_HOST}; another needs --token)`)
    .option('--token <secret>', `every request must carry it (?token= or a Bearer header); or $${TOKEN_ENV}`)
    .option(
      '--allow-host <name>',
      'also answer to this host name (a reverse proxy in front; name or name:port, repeatable); ' +
        'other names are refused, against DNS rebinding',
      collect,
    )
    .option('--json', 'print {url, port, db} as one JSON line once listening')
    .option('--quiet', 'accepted for scripts (the URL line stays on stdout; ui prints no progress)')
    .action(async (flags: UiFlags) => {
      process.exitCode = await uiCommand(flags);
    });
}
