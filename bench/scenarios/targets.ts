/**
 * The four targets and how to start each as its own process on a free loopback port. Every
 * started target is remembered so the harness can stop it (by PID) even on an interrupt.
 */
import { join } from 'node:path';
import { spawnLogged, waitReady, type IChild } from '../lib/child';
import { LOOPBACK, freePort } from '../lib/net';
import { WS_PATH } from '../lib/protocol';

/** Names used in results and the report, in column order. */
export const TARGETS = ['raw', 'upstream', 'ours-memory', 'ours-redis'] as const;
/** One of the targets. */
export type TTargetName = (typeof TARGETS)[number];
/** Targets bound to Redis. */
export const REDIS_TARGETS: readonly TTargetName[] = ['upstream', 'ours-redis'];

/** A target process that answered ready. */
export interface IRunningTarget {
  name: TTargetName;
  pid: number;
  port: number;
  base: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Start options. */
export interface IStartOptions {
  redisPort?: number;
  /** Instead of `redisPort`: the masters of a Redis Cluster (ours then uses sharded pub/sub). */
  clusterPorts?: number[];
  encrypted?: boolean;
  /** Ours only: bench rooms keep a history. */
  history?: boolean;
  /** Ours only: bench rooms have presence. */
  presence?: boolean;
  /** Ours only: history and presence configured for rooms other than the bench rooms (their idle cost). */
  idleFeatures?: boolean;
  /** Distinguishes log files of several nodes of one target. */
  label?: string;
}

const DIR = join(import.meta.dir, '..', 'targets');
const live = new Set<IChild>();

const commandFor = (name: TTargetName, port: number, opts: IStartOptions): { script: string; args: string[] } => {
  const enc = [...(opts.encrypted ? ['--enc'] : []), ...(opts.history ? ['--history'] : []), ...(opts.presence ? ['--presence'] : []), ...(opts.idleFeatures ? ['--idle-features'] : [])];
  const redis = (required: boolean): string[] => {
    if (opts.clusterPorts) return ['--cluster', opts.clusterPorts.join(',')];
    if (!opts.redisPort) {
      if (required) throw new Error(`${name} needs Redis`);
      return [];
    }
    return ['--redis', String(opts.redisPort)];
  };
  switch (name) {
    case 'raw':
      return { script: join(DIR, 'raw.ts'), args: [String(port), ...enc] };
    case 'upstream':
      return { script: join(DIR, 'ignis.ts'), args: ['upstream', String(port), ...redis(true), ...enc] };
    case 'ours-memory':
      return { script: join(DIR, 'ignis.ts'), args: ['ours', String(port), ...enc] };
    case 'ours-redis':
      return { script: join(DIR, 'ignis.ts'), args: ['ours', String(port), ...redis(true), ...enc] };
  }
};

/** Starts a target and waits until its WebSocket side is ready. */
export const startTarget = async (name: TTargetName, opts: IStartOptions = {}): Promise<IRunningTarget> => {
  const port = await freePort();
  const { script, args } = commandFor(name, port, opts);
  const child = spawnLogged(`${name}${opts.label ? `-${opts.label}` : ''}`, script, args);
  live.add(child);
  const stop = async (): Promise<void> => {
    await child.stop();
    live.delete(child);
  };
  try {
    await waitReady(child, port);
  } catch (error) {
    await stop();
    throw error;
  }
  const base = `http://${LOOPBACK}:${port}`;
  return { name, pid: child.pid, port, base, wsUrl: `ws://${LOOPBACK}:${port}${WS_PATH}`, stop };
};

/** Starts several nodes of one target; stops the ones already started if one fails. */
export const startNodes = async (name: TTargetName, count: number, opts: IStartOptions): Promise<IRunningTarget[]> => {
  const nodes: IRunningTarget[] = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startTarget(name, { ...opts, label: String.fromCharCode(97 + i) }));
    return nodes;
  } catch (error) {
    await stopAll(nodes);
    throw error;
  }
};

/** Stops the given targets. */
export const stopAll = async (targets: IRunningTarget[]): Promise<void> => {
  await Promise.all(targets.map(target => target.stop()));
};

/** Stops every target still running (interrupt path). */
export const stopLiveTargets = async (): Promise<void> => {
  await Promise.all([...live].map(child => child.stop()));
  live.clear();
};
