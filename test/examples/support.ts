/**
 * Runs the examples the way a user does — `bun examples/...` as child processes with env — and
 * drives the system Chromium through playwright-core (which never downloads a browser here).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { tmpdir } from 'node:os';
import { freePort } from '../support/ports';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const LOG_DIR = `${tmpdir()}/ignis-websocket-examples`;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium; the message says how to install it when it is missing. */
export const launchChromium = async (): Promise<Browser> => {
  if (!(await Bun.file(CHROMIUM_PATH).exists())) {
    throw new Error(`${CHROMIUM_PATH} not found: install Debian's browser with 'apt-get install -y chromium'`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
};

/** A child process started by a test, with its output kept for failure messages. */
export interface IChildProcess {
  readonly pid: number;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the first line matching `pattern`; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<number>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number>;
}

export const spawnBun = (args: string[], env: Record<string, string> = {}): IChildProcess => {
  const proc = Bun.spawn([process.execPath, ...args], {
    cwd: `${import.meta.dir}/../..`,
    // Ignis writes log files to APP_ENV_LOGGER_FOLDER_PATH (default: the working directory).
    env: { ...process.env, APP_ENV_LOGGER_FOLDER_PATH: LOG_DIR, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let text = '';
  const watchers = new Set<() => void>();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      text += decoder.decode(chunk, { stream: true });
      if (text.length > 200_000) text = text.slice(-100_000);
      for (const watcher of watchers) watcher();
    }
  };
  const drained = Promise.all([drain(proc.stdout as ReadableStream<Uint8Array>), drain(proc.stderr as ReadableStream<Uint8Array>)]);
  const exited = proc.exited.then(async code => {
    await drained;
    for (const watcher of watchers) watcher();
    return code;
  });
  let exitCode: number | undefined;
  void exited.then(code => (exitCode = code));

  return {
    pid: proc.pid,
    output: () => text,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.split('\n').map(line => line.match(pattern)).find(Boolean);
          if (match) return finish(() => resolve(match));
          if (exitCode !== undefined) finish(() => reject(new Error(`process exited (${exitCode}) before printing ${pattern}:\n${text.slice(-3000)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${text.slice(-3000)}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          settle();
        };
        watchers.add(check);
        check();
      });
    },
    async stop(graceMs = 5_000) {
      if (exitCode !== undefined) return exitCode;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
};

/** A chat instance (`bun examples/chat/index.ts`) on a free port. */
export interface IChatProcess extends IChildProcess {
  port: number;
  url: string;
}

export const startChatProcess = async (env: { REDIS_URL?: string; INSTANCE?: string } = {}): Promise<IChatProcess> => {
  const port = await freePort();
  const child = spawnBun(['examples/chat/index.ts'], { ...env, PORT: String(port), HOST: '127.0.0.1' });
  try {
    await child.waitForLine(/^Chat running at http:\/\/localhost:(\d+)/);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return Object.assign(child, { port, url: `http://127.0.0.1:${port}` });
};

/** Opens the chat page, signs in as `name` and waits until `room` is joined. */
export const joinChat = async (page: Page, url: string, name: string, room = 'general'): Promise<void> => {
  await page.goto(url);
  if (!(await page.isHidden('#chat'))) throw new Error('the chat panel is visible before signing in');
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#login-button');
  await page.waitForSelector(`#status:has-text("connected as ${name}")`, { timeout: 15_000 });
  await page.waitForSelector(`#messages li:has-text("joined #${room}")`, { timeout: 15_000 });
  if (!(await page.isHidden('#login'))) throw new Error('the sign-in form is still visible after joining');
};

/** Types a message in the page and sends it. */
export const say = async (page: Page, text: string): Promise<void> => {
  await page.fill('#text', text);
  await page.click('#send-button');
};

/** Waits for a chat message with exactly this text and returns the line's parts. */
export const waitForMessage = async (page: Page, text: string, timeoutMs = 10_000) => {
  const line = page.locator('#messages li', { has: page.locator('.text', { hasText: text }) });
  await line.first().waitFor({ timeout: timeoutMs });
  return {
    from: await line.first().getAttribute('data-from'),
    room: await line.first().getAttribute('data-room'),
    meta: (await line.first().locator('.meta').textContent()) ?? '',
  };
};
