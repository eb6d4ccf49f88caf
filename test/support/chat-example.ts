/**
 * The chat example driven the way a user does: `bun examples/chat/index.ts` as a child process
 * with env, and its page in the system Chromium through playwright-core (which never downloads
 * a browser here).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { spawnBun, type IChildProcess } from './child-process';
import { freePort } from './ports';

export const CHROMIUM_PATH = '/usr/bin/chromium';

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

/** A chat instance (`bun examples/chat/index.ts`) on a free port. */
export interface IChatProcess extends IChildProcess {
  port: number;
  url: string;
}

/** Starts an instance on a free port, or on `port` (to restart a stopped instance where its pages reconnect). */
export const startChatProcess = async (env: { REDIS_URL?: string; INSTANCE?: string } = {}, port?: number): Promise<IChatProcess> => {
  port ??= await freePort();
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

/** The texts of the page's chat messages (all rooms), in the order they are shown. */
export const messageTexts = (page: Page): Promise<string[]> => page.locator('#messages li .text').allTextContents();

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
