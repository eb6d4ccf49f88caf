/**
 * The `ignis-websocket-types` command: imports an app's module, reads its typed events and
 * server events from named exports, and writes the client's event maps. Docs: wiki/typed-events.md
 *
 *   ignis-websocket-types <module> [--events <export>] [--server-events <export>] [--out <file> | <file>]
 *   ignis-websocket-types --config <file.json>
 *
 * The config file holds the same four settings, `{ "module", "events", "serverEvents", "out" }`,
 * with paths relative to the config file. Without `--out` the module is written to stdout.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateClientTypes, type IClientTypesSource } from './client-types.js';

/** What to generate from where. */
export interface IClientTypesCliSettings {
  /** The app's module (TypeScript needs Bun; compiled JavaScript runs on Node too). */
  module: string;
  /** Name of the export holding the `defineEvent` list (default `events`). */
  events?: string;
  /** Name of the export holding the `defineServerEvents` map (default `serverEvents`). */
  serverEvents?: string;
  /** File to write; absent: stdout. */
  out?: string;
}

export const CLIENT_TYPES_USAGE = [
  'usage: ignis-websocket-types <module> [--events <export>] [--server-events <export>] [--out <file> | <file>]',
  '       ignis-websocket-types --config <file.json>',
  '',
  "Reads the app's typed events (default export names: 'events' and 'serverEvents') and writes",
  'ClientEvents / ServerEvents for new WebSocketClient<ServerEvents, ClientEvents>(...).',
].join('\n');

/** A usage mistake: the message is printed with the usage and the exit code is 2. */
export class ClientTypesUsageError extends Error {}

const FLAGS: Record<string, keyof IClientTypesCliSettings | 'config'> = {
  '--events': 'events',
  '--server-events': 'serverEvents',
  '--out': 'out',
  '--config': 'config',
};

/** Reads the command line (and the config file it names) into settings with absolute paths. */
export const readClientTypesArgs = async (argv: readonly string[], cwd: string): Promise<IClientTypesCliSettings> => {
  const given: Partial<Record<keyof IClientTypesCliSettings | 'config', string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = FLAGS[arg];
    if (flag) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ClientTypesUsageError(`${arg} needs a value`);
      given[flag] = value;
    } else if (arg.startsWith('--')) {
      throw new ClientTypesUsageError(`unknown option ${arg}`);
    } else if (given.module === undefined) {
      given.module = arg;
    } else if (given.out === undefined) {
      given.out = arg;
    } else {
      throw new ClientTypesUsageError(`unexpected argument '${arg}'`);
    }
  }
  if (given.config !== undefined) {
    if (given.module !== undefined) throw new ClientTypesUsageError('pass either a module or --config, not both');
    return readConfigFile(resolve(cwd, given.config), given);
  }
  if (given.module === undefined) throw new ClientTypesUsageError('no module given');
  return withAbsolutePaths({ ...given, module: given.module }, cwd);
};

const withAbsolutePaths = (settings: IClientTypesCliSettings, base: string): IClientTypesCliSettings => ({
  ...settings,
  module: resolve(base, settings.module),
  ...(settings.out !== undefined ? { out: resolve(base, settings.out) } : {}),
});

const readConfigFile = async (file: string, flags: Partial<IClientTypesCliSettings>): Promise<IClientTypesCliSettings> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ClientTypesUsageError(`cannot read config ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ClientTypesUsageError(`${file} must hold a JSON object`);
  const config: Record<string, unknown> = { ...parsed };
  for (const name of Object.keys(config)) {
    if (!['module', 'events', 'serverEvents', 'out'].includes(name)) throw new ClientTypesUsageError(`${file}: unknown setting '${name}'`);
    if (typeof config[name] !== 'string') throw new ClientTypesUsageError(`${file}: '${name}' must be a string`);
  }
  const module = config.module;
  if (typeof module !== 'string') throw new ClientTypesUsageError(`${file}: 'module' is required`);
  const read = (name: 'events' | 'serverEvents' | 'out') => flags[name] ?? (typeof config[name] === 'string' ? config[name] : undefined);
  const events = read('events');
  const serverEvents = read('serverEvents');
  const out = read('out');
  return withAbsolutePaths(
    { module, ...(events !== undefined ? { events } : {}), ...(serverEvents !== undefined ? { serverEvents } : {}), ...(out !== undefined ? { out } : {}) },
    dirname(file),
  );
};

/** Imports the module and generates the source; the error names what the module lacks. */
export const generateFromModule = async (settings: IClientTypesCliSettings): Promise<string> => {
  const mod: Record<string, unknown> = await import(pathToFileURL(settings.module).href);
  const eventsName = settings.events ?? 'events';
  const serverEventsName = settings.serverEvents ?? 'serverEvents';
  const exported = Object.keys(mod).sort();
  const pick = (name: string, explicit: boolean): unknown => {
    if (name in mod) return mod[name];
    if (explicit) throw new ClientTypesUsageError(`${settings.module} has no export '${name}' (it exports: ${exported.join(', ') || 'nothing'})`);
    return undefined;
  };
  const events = pick(eventsName, settings.events !== undefined);
  const serverEvents = pick(serverEventsName, settings.serverEvents !== undefined);
  if (events === undefined && serverEvents === undefined) {
    throw new ClientTypesUsageError(
      `${settings.module} exports neither '${eventsName}' (a defineEvent list) nor '${serverEventsName}' (defineServerEvents); ` +
        `it exports: ${exported.join(', ') || 'nothing'}. Name the exports with --events / --server-events.`,
    );
  }
  if (events !== undefined && !Array.isArray(events)) throw new ClientTypesUsageError(`export '${eventsName}' must be an array of defineEvent(...) results`);
  if (serverEvents !== undefined && (typeof serverEvents !== 'object' || serverEvents === null)) {
    throw new ClientTypesUsageError(`export '${serverEventsName}' must be the object defineServerEvents(...) returns`);
  }
  return generateClientTypes({ events, serverEvents } as IClientTypesSource);
};

/** Runs the command; returns the exit code (0 written, 1 failed, 2 usage). */
export const runClientTypesCli = async (
  argv: readonly string[],
  io: { cwd: string; stdout: (text: string) => void; stderr: (text: string) => void },
): Promise<number> => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(`${CLIENT_TYPES_USAGE}\n`);
    return 0;
  }
  try {
    const settings = await readClientTypesArgs(argv, io.cwd);
    const source = await generateFromModule(settings);
    if (settings.out === undefined) {
      io.stdout(source);
    } else {
      await mkdir(dirname(settings.out), { recursive: true });
      await writeFile(settings.out, source);
      io.stderr(`wrote ${settings.out}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof ClientTypesUsageError) {
      io.stderr(`ignis-websocket-types: ${error.message}\n\n${CLIENT_TYPES_USAGE}\n`);
      return 2;
    }
    io.stderr(`ignis-websocket-types: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
};
