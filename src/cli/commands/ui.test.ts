import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase, type Seeded } from '../../ui/server/seed.testkit.js';
import { registerUiCommand, startUi } from './ui.js';

let seeded: Seeded;
beforeAll(async () => {
  seeded = await seedDatabase();
});
afterAll(() => rmSync(seeded.dir, { recursive: true, force: true }));

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const uiModule = pathToFileURL(fileURLToPath(new URL('./ui.ts', import.meta.url))).href;
// The script lives in a temporary folder, where a bare 'commander' would not resolve.
const commanderModule = pathToFileURL(createRequire(import.meta.url).resolve('commander')).href;

function program(): Command {
  const cmd = new Command('naslab').exitOverride();
  registerUiCommand(cmd);
  return cmd;
}

describe('naslab ui', () => {
  it('refuses a host other machines can reach without --token, naming the fix', async () => {
    await expect(
      program().parseAsync(['ui', '--db', seeded.file, '--host', '0.0.0.0'], { from: 'user' }),
    ).rejects.toThrow(/--host 0\.0\.0\.0 lets other machines reach the dashboard: add --token/);
  });

  it('refuses a port out of range as a usage error', async () => {
    const cmd = program();
    cmd.commands[0]?.exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(cmd.parseAsync(['ui', '--port', '70000'], { from: 'user' })).rejects.toThrow(
      /--port must be an integer from 0 to 65535/,
    );
  });

  it('takes the token from $NASLAB_UI_TOKEN', async () => {
    process.env['NASLAB_UI_TOKEN'] = 'from-env';
    try {
      const server = await startUi({ db: seeded.file, port: 0 });
      try {
        expect(server.openUrl).toMatch(/\?token=from-env$/);
        expect((await fetch(new URL('/api/experiments', server.url))).status).toBe(401);
      } finally {
        await server.close();
      }
    } finally {
      delete process.env['NASLAB_UI_TOKEN'];
    }
  });

  it('serves until SIGINT, printing its URL, then exits 0', async () => {
    const script = join(seeded.dir, 'ui.mts');
    writeFileSync(
      script,
      `import { Command } from ${JSON.stringify(commanderModule)};
import { registerUiCommand } from ${JSON.stringify(uiModule)};
const cmd = new Command('naslab');
registerUiCommand(cmd);
await cmd.parseAsync(process.argv.slice(2), { from: 'user' });
`,
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, 'ui', '--db', seeded.file, '--port', '0', '--json'],
      { cwd: repoRoot, stdio: 'pipe' },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = await new Promise<{ url: string; db: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out) as { url: string; db: string });
      });
      child.on('exit', (code) => reject(new Error(`naslab ui exited (${code}) before listening: ${stderr}`)));
    });
    expect(started.db).toBe(seeded.file);
    const list = await fetch(new URL('/api/experiments', started.url));
    expect(list.status).toBe(200);
    expect(((await list.json()) as unknown[]).length).toBe(2);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
