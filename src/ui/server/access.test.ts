import { request } from 'node:http';
import { hostname } from 'node:os';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { startUi, registerUiCommand } from '../../cli/commands/ui.js';
import { ConfigError } from '../../core/errors.js';
import { HostPolicy } from './access.js';
import { startUiServer, type UiServer } from './server.js';
import { seedDatabase, writeAssets, type Seeded } from './seed.testkit.js';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * A GET with exactly these headers (fetch cannot forge Host). The body is read up to `limit` bytes,
 * so an accepted live-update stream, which never ends, is cut off once it has answered.
 */
function get(port: number, path: string, headers: Record<string, string>, limit = 1 << 20): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, setHost: false }, (res) => {
      let body = '';
      const done = (): void => {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length >= limit || res.headers['content-type']?.startsWith('text/event-stream')) done();
      });
      res.on('end', done);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let seeded: Seeded;
let server: UiServer;
let port: number;
let routes: string[];

beforeAll(async () => {
  seeded = await seedDatabase();
  server = await startUiServer({
    db: seeded.file,
    port: 0,
    host: '127.0.0.1',
    assetsDir: writeAssets(seeded.dir),
  });
  port = server.port;
  const [trial] = seeded.chain.trialIds;
  routes = [
    '/api/experiments',
    `/api/experiments/${seeded.chain.id}`,
    `/api/experiments/${seeded.chain.id}/trials/${trial}/reports`,
    `/api/experiments/${seeded.chain.id}/trials/${trial}/graph`,
    `/api/experiments/${seeded.chain.id}/controller`,
    `/api/events?experiment=${seeded.chain.id}`,
    '/api/nothing',
    '/',
    '/experiments/1',
    '/assets/app.js',
  ];
});

afterAll(async () => {
  await server?.close();
  rmSync(seeded.dir, { recursive: true, force: true });
});

/** Nothing of the store may leak in a refusal: no config, no experiment, no path. */
function expectRefused(answer: Answer, status: number, what: string): void {
  expect(answer.status, what).toBe(status);
  expect(answer.body, what).not.toMatch(/chain-seeded|nb201|"config"|\.db/);
  expect(answer.headers['content-type'], what).toMatch(/^application\/json/);
}

describe('Host: the names the dashboard answers to (DNS rebinding)', () => {
  it('answers a forged Host with 421 on every route, API, live updates and files alike', async () => {
    const forged = [
      `evil.example.com:${port}`,
      'evil.example.com',
      `127.0.0.1.evil.example.com:${port}`,
      `localhost.:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      '',
    ];
    for (const path of routes) {
      for (const host of forged) expectRefused(await get(port, path, { Host: host }), 421, `${host} ${path}`);
    }
    const refused = await get(port, '/api/experiments', { Host: `evil.example.com:${port}` });
    expect(JSON.parse(refused.body)).toEqual({ error: expect.stringMatching(/does not answer to the host/) });
  });

  it('refuses a request with no Host header at all', async () => {
    const answer = await get(port, '/api/experiments', {});
    expect(answer.status).not.toBe(200);
    expect(answer.body).not.toMatch(/chain-seeded/);
  });

  it('answers loopback names and addresses on its own port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`]) {
      for (const path of routes) {
        const answer = await get(port, path, { Host: host });
        expect(answer.status, `${host} ${path}`).toBe(path === '/api/nothing' ? 404 : 200);
      }
    }
  });

  it('still refuses a foreign Host when the right token comes with it', async () => {
    const guarded = await startUiServer({ db: seeded.file, port: 0, host: '127.0.0.1', token: 't0ken' });
    try {
      const auth = { Authorization: 'Bearer t0ken' };
      expectRefused(
        await get(guarded.port, '/api/experiments', { ...auth, Host: 'evil.example.com' }),
        421,
        'evil',
      );
      const own = await get(guarded.port, '/api/experiments', { ...auth, Host: `localhost:${guarded.port}` });
      expect(own.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('answers names given as allowedHosts (a reverse proxy): a bare name on any port, name:port exactly', async () => {
    const proxied = await startUiServer({
      db: seeded.file,
      port: 0,
      host: '127.0.0.1',
      allowedHosts: ['Dash.Example.org', 'proxy.example.org:8443'],
    });
    try {
      const status = async (host: string): Promise<number> =>
        (await get(proxied.port, '/api/experiments', { Host: host })).status;
      expect(await status('dash.example.org')).toBe(200);
      expect(await status('dash.example.org:443')).toBe(200);
      expect(await status('proxy.example.org:8443')).toBe(200);
      expect(await status('proxy.example.org')).toBe(421);
      expect(await status('proxy.example.org:8444')).toBe(421);
      expect(await status('sub.dash.example.org')).toBe(421);
      expect(await status(`evil.example.com:${proxied.port}`)).toBe(421);
    } finally {
      await proxied.close();
    }
  });
});

describe('naslab ui --allow-host', () => {
  it('is repeatable and reaches the server', async () => {
    let flags: { allowHost?: string[] } = {};
    const program = new Command('naslab').exitOverride();
    registerUiCommand(program);
    program.commands[0]?.action((f: typeof flags) => void (flags = f));
    await program.parseAsync(['ui', '--allow-host', 'a.example.org', '--allow-host', 'b.example.org:8443'], {
      from: 'user',
    });
    expect(flags.allowHost).toEqual(['a.example.org', 'b.example.org:8443']);

    const ui = await startUi({ db: seeded.file, port: 0, allowHost: ['dash.example.org'] });
    try {
      expect((await get(ui.port, '/api/experiments', { Host: 'dash.example.org' })).status).toBe(200);
      expect((await get(ui.port, '/api/experiments', { Host: 'evil.example.org' })).status).toBe(421);
    } finally {
      await ui.close();
    }
    await expect(startUi({ db: seeded.file, port: 0, allowHost: ['not a host'] })).rejects.toThrow(
      /--allow-host "not a host": expected a host name/,
    );
  });
});

describe('HostPolicy', () => {
  it('bound to one address: that address and loopback, on its port', () => {
    const policy = new HostPolicy('192.168.7.7', 8080);
    expect(policy.allowsHost('192.168.7.7:8080')).toBe(true);
    expect(policy.allowsHost('127.0.0.1:8080')).toBe(true);
    expect(policy.allowsHost('192.168.7.7:8081')).toBe(false);
    expect(policy.allowsHost('192.168.7.8:8080')).toBe(false);
    expect(policy.allowsHost(`${hostname()}:8080`)).toBe(hostname().toLowerCase() === 'localhost');
    expect(policy.allowsHost('rebind.example.com:8080')).toBe(false);
    expect(policy.allowsHost(undefined)).toBe(false);
  });

  it('bound to a name or an IPv6 address: that name', () => {
    expect(new HostPolicy('dash.lan', 80).allowsHost('dash.lan')).toBe(true);
    expect(new HostPolicy('dash.lan', 80).allowsHost('dash.lan:80')).toBe(true);
    expect(new HostPolicy('dash.lan', 80).allowsHost('evil.lan')).toBe(false);
    expect(new HostPolicy('fd00::7', 9000).allowsHost('[fd00::7]:9000')).toBe(true);
    expect(new HostPolicy('::1', 9000).allowsHost('[::1]:9000')).toBe(true);
  });

  it('bound to all interfaces: any bare address and the machine name, but no other name', () => {
    for (const bound of ['0.0.0.0', '::']) {
      const policy = new HostPolicy(bound, 8080);
      expect(policy.allowsHost('10.1.2.3:8080')).toBe(true);
      expect(policy.allowsHost('[2001:db8::1]:8080')).toBe(true);
      expect(policy.allowsHost(`${hostname()}:8080`)).toBe(true);
      expect(policy.allowsHost('10.1.2.3:8081')).toBe(false);
      expect(policy.allowsHost('rebind.example.com:8080')).toBe(false);
      expect(policy.allowsHost('10.1.2.3.nip.io:8080')).toBe(false);
    }
  });

  it('learns the port once listening (port 0 picks one)', () => {
    const policy = new HostPolicy('127.0.0.1', 0);
    policy.listening(40123);
    expect(policy.allowsHost('127.0.0.1:40123')).toBe(true);
    expect(policy.allowsHost('127.0.0.1:0')).toBe(false);
  });

  it('refuses an allowed host that is not a host name, as a ConfigError', () => {
    for (const bad of ['', 'a b', 'x/y', 'user@x', 'x:notaport', 'http://x']) {
      expect(() => new HostPolicy('127.0.0.1', 80, [bad]), bad).toThrow(ConfigError);
    }
  });

  it('takes an Origin only when it is the request host itself', () => {
    expect(HostPolicy.allowsOrigin(undefined, 'localhost:80')).toBe(true);
    expect(HostPolicy.allowsOrigin('http://localhost:8080', 'localhost:8080')).toBe(true);
    expect(HostPolicy.allowsOrigin('https://dash.example.org', 'dash.example.org')).toBe(true);
    expect(HostPolicy.allowsOrigin('http://127.0.0.1:8080', 'localhost:8080')).toBe(false);
    expect(HostPolicy.allowsOrigin('http://localhost:8081', 'localhost:8080')).toBe(false);
    expect(HostPolicy.allowsOrigin('null', 'localhost:8080')).toBe(false);
    expect(HostPolicy.allowsOrigin('file://', 'localhost:8080')).toBe(false);
    expect(HostPolicy.allowsOrigin('chrome-extension://abc', 'abc')).toBe(false);
  });
});

describe('Origin and fetch metadata: requests made by pages of other sites', () => {
  it('refuses a foreign Origin with 403 on every route, the live updates included', async () => {
    const host = `127.0.0.1:${port}`;
    for (const origin of [
      'http://evil.example.com',
      `http://evil.example.com:${port}`,
      `http://localhost:${port}`,
      `http://127.0.0.1:${port + 1}`,
      'null',
    ]) {
      for (const path of routes)
        expectRefused(await get(port, path, { Host: host, Origin: origin }), 403, `${origin} ${path}`);
    }
    const own = await get(port, `/api/experiments/${seeded.chain.id}`, {
      Host: host,
      Origin: `http://${host}`,
    });
    expect(own.status).toBe(200);
    const stream = await get(port, '/api/events', { Host: host, Origin: `http://${host}` });
    expect(stream.status).toBe(200);
  });

  it("refuses another site's subresource requests (Sec-Fetch-Site), but follows a link to a page", async () => {
    const host = `localhost:${port}`;
    for (const site of ['cross-site', 'same-site']) {
      for (const path of routes) {
        const embedded = await get(port, path, {
          Host: host,
          'Sec-Fetch-Site': site,
          'Sec-Fetch-Mode': 'no-cors',
        });
        expectRefused(embedded, 403, `${site} ${path}`);
      }
      // A link from elsewhere opens the dashboard, which then loads its data same-origin.
      const navigation = { Host: host, 'Sec-Fetch-Site': site, 'Sec-Fetch-Mode': 'navigate' };
      expect((await get(port, '/', navigation)).status).toBe(200);
      expectRefused(await get(port, '/api/experiments', navigation), 403, `${site} navigation to the API`);
    }
    for (const site of ['same-origin', 'none']) {
      expect((await get(port, '/api/experiments', { Host: host, 'Sec-Fetch-Site': site })).status).toBe(200);
    }
  });

  it('marks answers as not for other origins, not to be framed, sniffed or referred', async () => {
    for (const path of ['/api/experiments', '/', '/assets/app.js']) {
      const answer = await get(port, path, { Host: `localhost:${port}` });
      expect(answer.headers['cross-origin-resource-policy'], path).toBe('same-origin');
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
      expect(answer.headers['x-frame-options'], path).toBe('DENY');
      expect(answer.headers['referrer-policy'], path).toBe('no-referrer');
    }
  });
});
