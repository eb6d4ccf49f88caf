#!/usr/bin/env bun
/**
 * `ignis-websocket-types`: writes ClientEvents / ServerEvents from an app's typed events.
 * Runs with Bun (so it can import the app's TypeScript); `node` works for compiled modules.
 * Usage and docs: `ignis-websocket-types --help`, wiki/typed-events.md.
 */
import { runClientTypesCli } from './cli.js';

process.exitCode = await runClientTypesCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
});
