/**
 * The chat example in a real headless Chromium: the app is started exactly as README says
 * (`bun examples/chat/index.ts` with PORT / REDIS_URL), two pages sign in, join one room and see
 * each other's messages — first on one instance, then with each page on its own instance, the two
 * instances sharing rooms through a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { RedisHelper } from '@venizia/ignis-helpers';
import type { Browser, BrowserContext } from 'playwright-core';
import { joinChat, launchChromium, messageTexts, say, startChatProcess, waitForMessage, type IChatProcess } from '../support/chat-example';
import { spawnBun } from '../support/child-process';
import { TestRedis, untilSubscribers } from '../support/redis';

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts.splice(0)) await context.close();
  await browser?.close();
}, 20_000);

/** A fresh page in its own browser context (its own cookies and storage, like another person). */
const newPage = async (viewport?: { width: number; height: number }) => {
  const context = await browser.newContext(viewport ? { viewport } : {});
  contexts.push(context);
  return context.newPage();
};

describe('chat example, one instance (in-memory broker)', () => {
  let chat: IChatProcess;
  beforeAll(async () => {
    chat = await startChatProcess();
  }, 30_000);
  afterAll(async () => {
    expect(await chat.stop()).toBe(0);
  }, 20_000);

  test('two pages in one room see each other; the page shows its instance', async () => {
    const [ada, bob] = [await newPage(), await newPage()];
    await joinChat(ada, chat.url, 'ada');
    await joinChat(bob, chat.url, 'bob');
    expect(await ada.textContent('#instance')).toContain(`chat@${chat.port}`);

    await say(ada, 'hello from ada');
    expect(await waitForMessage(bob, 'hello from ada')).toMatchObject({ from: 'ada', room: 'general' });
    await waitForMessage(ada, 'hello from ada');

    await say(bob, 'hi ada, bob here');
    expect((await waitForMessage(ada, 'hi ada, bob here')).from).toBe('bob');
  }, 60_000);

  test('a room the other page did not join stays private to its members', async () => {
    const [ada, bob] = [await newPage(), await newPage()];
    await joinChat(ada, chat.url, 'ada', 'side-room');
    await joinChat(bob, chat.url, 'bob', 'general');

    await say(ada, 'only side-room sees this');
    await waitForMessage(ada, 'only side-room sees this');
    // A later message in a room both are in proves bob's page was listening the whole time.
    await ada.fill('#new-room', 'general');
    await ada.click('#join-room button');
    await ada.waitForSelector('#messages li:has-text("joined #general")');
    await say(ada, 'now in general');
    await waitForMessage(bob, 'now in general');
    expect(await bob.locator('#messages li .text', { hasText: 'only side-room sees this' }).count()).toBe(0);
    // Rooms filter the stream: with #general selected, ada's side-room message is hidden, and back.
    const sideLine = ada.locator('#messages li', { hasText: 'only side-room sees this' });
    expect(await sideLine.isHidden()).toBe(true);
    await ada.click('#rooms button:has-text("#side-room")');
    expect(await sideLine.isVisible()).toBe(true);
    expect(await ada.locator('#messages li', { hasText: 'now in general' }).isHidden()).toBe(true);
  }, 60_000);

  test('on a 390 px wide phone screen nothing scrolls sideways, even with a long unbroken message', async () => {
    const phone = await newPage({ width: 390, height: 844 });
    await joinChat(phone, chat.url, 'phone');
    await say(phone, 'x'.repeat(300));
    await waitForMessage(phone, 'x'.repeat(300));
    const { scrollWidth, clientWidth } = await phone.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(clientWidth).toBe(390);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  }, 60_000);

  test('a room shows its history on join, and who is online in it', async () => {
    const ada = await newPage();
    await joinChat(ada, chat.url, 'ada', 'history-room');
    for (const text of ['first words', 'second words']) {
      await say(ada, text);
      await waitForMessage(ada, text);
    }
    const bob = await newPage();
    await joinChat(bob, chat.url, 'bob', 'history-room');
    expect(await messageTexts(bob)).toEqual(['first words', 'second words']);
    await bob.waitForSelector('#online li:has-text("ada")');
    await bob.waitForSelector('#online li:has-text("bob")');
    await ada.waitForSelector('#online li:has-text("bob")'); // presence:join refreshed ada's list
  }, 60_000);

  test('the server refuses invalid input: a bad room name and a message over 500 characters', async () => {
    const ada = await newPage();
    await joinChat(ada, chat.url, 'ada');
    // The inputs' pattern and maxlength stop a real user; drop them to reach the server's checks.
    await ada.evaluate(() => {
      document.getElementById('new-room')!.removeAttribute('pattern');
      document.getElementById('text')!.removeAttribute('maxlength');
    });
    await ada.fill('#new-room', 'Not A Room!');
    await ada.click('#join-room button');
    await ada.waitForSelector('#problem:has-text("refused: Not A Room!")');

    await say(ada, 'x'.repeat(501));
    await ada.waitForSelector('#problem:has-text("VALIDATION_FAILED")');
  }, 60_000);
});

describe('chat example, two instances on one Redis', () => {
  let redis: TestRedis;
  let monitor: RedisHelper;
  let east: IChatProcess;
  let west: IChatProcess;
  let redisUrl: string;

  beforeAll(async () => {
    redis = await TestRedis.start();
    monitor = redis.helper('chat-test-monitor');
    await monitor.connect();
    redisUrl = `redis://127.0.0.1:${redis.port}`;
    [east, west] = await Promise.all([
      startChatProcess({ REDIS_URL: redisUrl, INSTANCE: 'east' }),
      startChatProcess({ REDIS_URL: redisUrl, INSTANCE: 'west' }),
    ]);
  }, 60_000);

  afterAll(async () => {
    const codes = await Promise.all([east?.stop(), west?.stop()]);
    await monitor?.disconnect();
    await redis?.stop();
    expect(codes).toEqual([0, 0]);
  }, 20_000);

  /** Instances subscribe to a room's channel when their first member joins; wait until both have. */
  const bothSubscribed = (room: string) => untilSubscribers(monitor, `ws:room:${room}`, 2);

  test('pages on different instances see each other, and each page names its own instance', async () => {
    const [ada, bob] = [await newPage(), await newPage()];
    await joinChat(ada, east.url, 'ada');
    await joinChat(bob, west.url, 'bob');
    expect(await ada.textContent('#instance')).toContain('east (Redis)');
    expect(await bob.textContent('#instance')).toContain('west (Redis)');
    await bothSubscribed('general');

    await say(ada, 'from the east');
    const seenByBob = await waitForMessage(bob, 'from the east');
    expect(seenByBob).toMatchObject({ from: 'ada', room: 'general' });
    expect(seenByBob.meta).toContain('via east');

    await say(bob, 'from the west');
    expect((await waitForMessage(ada, 'from the west')).meta).toContain('via west');

    // Exactly once each, on both sides.
    for (const page of [ada, bob]) {
      for (const text of ['from the east', 'from the west']) {
        expect(await page.locator('#messages li .text', { hasText: text }).count()).toBe(1);
      }
    }
  }, 60_000);

  test('a page whose instance restarts gets the messages sent meanwhile from another instance, each once and in order', async () => {
    const [ada, bob] = [await newPage(), await newPage()];
    await joinChat(ada, east.url, 'ada', 'recovery');
    await joinChat(bob, west.url, 'bob', 'recovery');
    await bothSubscribed('recovery');
    await ada.waitForSelector('#online li:has-text("bob")'); // presence across instances
    await say(bob, 'before the restart');
    await waitForMessage(ada, 'before the restart');

    const port = east.port;
    expect(await east.stop()).toBe(0);
    await ada.waitForSelector('#status:has-text("disconnected")');
    const missed = Array.from({ length: 10 }, (_, i) => `sent while away ${i + 1}`);
    for (const text of missed) {
      await say(bob, text);
      await waitForMessage(bob, text);
    }
    east = await startChatProcess({ REDIS_URL: redisUrl, INSTANCE: 'east' }, port);

    await ada.waitForSelector('#messages li:has-text("#recovery: 10 missed messages recovered")', { timeout: 40_000 });
    await ada.waitForSelector(`#status:has-text("connected as ada")`);
    await say(bob, 'after the restart');
    await waitForMessage(ada, 'after the restart');
    expect(await messageTexts(ada)).toEqual(['before the restart', ...missed, 'after the restart']);
  }, 90_000);

  test("the worker's job:progress shows up in the page of the user it targets", async () => {
    const bob = await newPage();
    await joinChat(bob, west.url, 'bob');
    const worker = spawnBun(['examples/worker-emitter/worker.ts', 'bob'], { REDIS_URL: redisUrl, STEPS: '3', INTERVAL_MS: '50' });
    expect(await worker.exitWithin(20_000), worker.output()).toBe(0);
    await bob.waitForSelector('#jobs li:has-text("3/3 done")', { timeout: 10_000 });
  }, 60_000);
});
