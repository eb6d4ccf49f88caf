/** Encrypted fan-out: every client has its own AES-GCM key; a burst is encrypted per client. */
import { runLoad } from '../lib/child';
import { eachRun, fmt, loadScript, type IScenarioContext } from './context';
import { noteLoss, type IFanoutLoadResult } from './single';
import { startTarget, type TTargetName } from './targets';

const ENC_TARGETS: TTargetName[] = ['raw', 'upstream', 'ours-memory'];

/** Runs the encrypted burst on raw, upstream and ours (in-memory). */
export const runEncrypted = (ctx: IScenarioContext): Promise<void> =>
  eachRun(ctx, 'encrypted', ENC_TARGETS.filter(name => ctx.available.includes(name)), async (name, label) => {
    const c = ctx.config;
    const target = await startTarget(name, { redisPort: ctx.redisPort, encrypted: true });
    try {
      const input = {
        url: target.wsUrl,
        clientBase: target.base,
        clientPid: target.pid,
        sendBase: target.base,
        room: 'bench-enc',
        count: c.encClients,
        window: c.connectWindow,
        burstCount: c.encMessages,
        pacedRate: c.pacedRate,
        pacedCount: 0,
        via: 'local',
        encrypted: true,
        stepTimeoutMs: c.stepTimeoutSeconds * 1000,
        handshakeTimeoutMs: c.handshakeTimeoutSeconds * 1000,
      };
      const timeoutMs = c.stepTimeoutSeconds * 6000;
      const r = (await runLoad(`load-enc-${name}`, loadScript('fanout.ts'), input, l => ctx.progress(label, l), timeoutMs)) as unknown as IFanoutLoadResult;
      ctx.store.add('enc_burst_rate', name, r.burst.deliveriesPerSec);
      ctx.store.loadCores(['enc_burst_rate'], name, r.burst.loadCores);
      ctx.store.detail(`encrypted/${name}`, r);
      noteLoss(ctx, label, r.burst);
      return `${fmt(r.burst.deliveriesPerSec)} encrypted deliveries/s`;
    } finally {
      await target.stop();
    }
  });
