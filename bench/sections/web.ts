import { gzipSync } from 'node:zlib';
import type { Duplex } from 'node:stream';
import { pino } from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../server/config.ts';
import type { EnvStatus } from '../../server/http/apiTypes.ts';
import { createEnvironments } from '../../server/main.ts';
import { startApp } from '../../test/e2e/support/app.ts';
import { launchChromium } from '../../test/e2e/support/browser.ts';
import { cleanupPrefix } from '../../test/integration/support/docker.ts';
import { median, percentile, round } from '../stats.ts';
import type { Section } from '../types.ts';

const PREFIX = 'klbench-web';
const KEYSTROKES = 200;
const CHECKS = 20;

/** Sends one key at a time and times until its echo arrives; returns milliseconds per key. */
async function echoTimes(
  send: (b: Buffer) => void,
  onData: (cb: (b: Buffer) => void) => void,
): Promise<number[]> {
  let waiting: ((b: Buffer) => void) | undefined;
  onData((b) => waiting?.(b));
  const times: number[] = [];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < KEYSTROKES; i++) {
    const key = letters[i % letters.length] ?? 'a';
    const t = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
      waiting = (b) => {
        if (b.includes(key)) {
          clearTimeout(timer);
          waiting = undefined;
          resolve();
        }
      };
      send(Buffer.from(key));
    });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    // Keep the line short: Ctrl-U clears it every 50 keys (its echo is not timed).
    if (i % 50 === 49) {
      send(Buffer.from('\x15'));
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return times;
}

/** The web app under load of one student: terminal latency, checks, first load, page readiness. */
export const webSection: Section = {
  name: 'web',
  describe: `terminal echo (${KEYSTROKES} keys, WebSocket vs direct exec), check latency, first-load JS, time to a usable lab page`,
  async run(ctx) {
    const { docker } = ctx.runtime;
    await cleanupPrefix(docker, PREFIX);
    const app = await startApp(PREFIX);
    const browser = await launchChromium();
    try {
      // Sign in and boot the student's environment through the API.
      const signIn = await fetch(`${app.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"bench"}',
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const api = (method: string, url: string, body?: unknown): Promise<Response> =>
        fetch(`${app.url}${url}`, {
          method,
          headers: { cookie, 'content-type': 'application/json' },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      await api('POST', '/api/env', { labId: 'core-concepts' });
      for (;;) {
        const s = (await (await api('GET', '/api/env')).json()) as EnvStatus;
        if (s.phase === 'running') break;
        if (s.phase === 'failed') throw new Error(`environment failed: ${s.error?.message}`);
        await new Promise((r) => setTimeout(r, 500));
      }

      // Terminal echo through the app's WebSocket.
      const ws = new WebSocket(
        `${app.url.replace('http', 'ws')}/ws/terminal?node=bigdata01&cols=120&rows=30`,
        { headers: { cookie } },
      );
      const wsData: ((b: Buffer) => void)[] = [];
      ws.on('message', (d: Buffer, isBinary) => isBinary && wsData.forEach((f) => f(d)));
      await new Promise((r) => ws.on('open', r));
      await new Promise((r) => setTimeout(r, 1000)); // the prompt
      const viaWs = await echoTimes(
        (b) => ws.send(b),
        (cb) => wsData.push(cb),
      );
      ws.close();

      // The floor: a TTY exec straight from dockerode into the same container.
      const config = loadConfig({ ...process.env, KAFKALAB_PREFIX: PREFIX });
      const { access, backend } = createEnvironments(config, docker, pino({ level: 'silent' }));
      const env = (await backend.list()).find((e) => e.owner === 'bench');
      if (!env) throw new Error('the bench student has no environment');
      const term = await access.openTerminal(env, 'bigdata01', { cols: 120, rows: 30 });
      const stream: Duplex = term.stream;
      await new Promise((r) => setTimeout(r, 1000));
      const direct = await echoTimes(
        (b) => stream.write(b),
        (cb) => stream.on('data', cb),
      );
      await term.close();
      ctx.log(
        `echo p50/p99: WebSocket ${percentile(viaWs, 50).toFixed(2)}/${percentile(viaWs, 99).toFixed(2)} ms, direct ${percentile(direct, 50).toFixed(2)}/${percentile(direct, 99).toFixed(2)} ms`,
      );

      // Check latency: a cluster check (agent snapshot) and a file check.
      const timeChecks = async (exercise: string): Promise<number[]> => {
        const ms: number[] = [];
        for (let i = 0; i < CHECKS; i++) {
          const t = Date.now();
          const r = await api('POST', `/api/labs/core-concepts/checks/${exercise}`, {});
          await r.text();
          ms.push(Date.now() - t);
        }
        return ms;
      };
      const agentChecks = await timeChecks('own-topic');
      const fileChecks = await timeChecks('message-anatomy');

      // First load and time to a usable lab page, in Chromium, environment already running.
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addCookies([
        { name: cookie.split('=')[0] ?? '', value: cookie.split('=').slice(1).join('='), url: app.url },
      ]);
      const page = await context.newPage();
      const scripts = new Map<string, Buffer>();
      page.on('response', (res) => {
        if (res.url().endsWith('.js'))
          void res
            .body()
            .then((b) => scripts.set(res.url(), b))
            .catch(() => undefined);
      });
      const usable: number[] = [];
      for (let i = 0; i < Math.max(3, ctx.runs); i++) {
        const t = Date.now();
        await page.goto(`${app.url}/labs/core-concepts`);
        await page.getByTestId('env-ready').waitFor({ state: 'attached', timeout: 60_000 });
        await page
          .locator('[data-testid="terminal-bigdata01"][data-state="open"]')
          .waitFor({ timeout: 60_000 });
        usable.push(Date.now() - t);
      }
      await page.waitForTimeout(500);
      const firstLoad = [...scripts.values()].reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
      const monacoLoaded = [...scripts.keys()].some((u) => /monaco|editor\.worker/.test(u));
      await context.close();

      const ratio = (p: number): number => round(percentile(viaWs, p) / percentile(direct, p), 2);
      return [
        {
          name: 'terminal echo p50 (WebSocket)',
          value: round(percentile(viaWs, 50), 2),
          unit: 'ms',
          runs: viaWs,
        },
        {
          name: 'terminal echo p99 (WebSocket)',
          value: round(percentile(viaWs, 99), 2),
          unit: 'ms',
          note: 'target <= 2x direct p99',
        },
        {
          name: 'terminal echo p50 (direct exec)',
          value: round(percentile(direct, 50), 2),
          unit: 'ms',
          runs: direct,
        },
        { name: 'terminal echo p99 (direct exec)', value: round(percentile(direct, 99), 2), unit: 'ms' },
        { name: 'echo WebSocket / direct p50', value: ratio(50), unit: 'x' },
        { name: 'echo WebSocket / direct p99', value: ratio(99), unit: 'x' },
        {
          name: 'check p50 (kafka.topic via agent)',
          value: percentile(agentChecks, 50),
          unit: 'ms',
          runs: agentChecks,
        },
        {
          name: 'check p95 (kafka.topic via agent)',
          value: percentile(agentChecks, 95),
          unit: 'ms',
          note: 'target <= 1 s',
        },
        { name: 'check p50 (file)', value: percentile(fileChecks, 50), unit: 'ms', runs: fileChecks },
        { name: 'check p95 (file)', value: percentile(fileChecks, 95), unit: 'ms' },
        {
          name: 'first-load JS (gzip)',
          value: round(firstLoad / 1024, 1),
          unit: 'KiB',
          note: `target <= 400 KB; Monaco loaded: ${monacoLoaded ? 'yes' : 'no'}`,
        },
        {
          name: 'time to usable lab page',
          value: median(usable),
          unit: 'ms',
          runs: usable,
          note: 'env running; chapter + connected terminal',
        },
      ];
    } finally {
      await browser.close();
      await app.stop();
      await cleanupPrefix(docker, PREFIX);
    }
  },
};
