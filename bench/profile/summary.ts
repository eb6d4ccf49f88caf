/**
 * Reads a `.cpuprofile` (Chrome format, as `bun --cpu-prof` writes it) and sums its samples by
 * where they were taken: the function on top of the stack, grouped as `src/<file>` (ours),
 * `dep:<package>`, `native:<function>` or `bench`. Counts samples, not time deltas: Bun's deltas
 * include the time a thread was idle. Only samples from the first `upgrade` on count, so start-up
 * is left out.
 */

interface ICallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface IProfileNode {
  id: number;
  callFrame: ICallFrame;
  children?: number[];
}

/** The parts of a `.cpuprofile` the summary reads. */
export interface ICpuProfile {
  nodes: IProfileNode[];
  samples: number[];
}

/** Samples per group and per function, from the first upgrade on. */
export interface IProfileSummary {
  samples: number;
  byGroup: [string, number][];
  byFunction: [string, number][];
}

const groupOf = (frame: ICallFrame): string => {
  const { url, functionName } = frame;
  if (!url || url.startsWith('[')) return `native:${functionName || '(anonymous)'}`;
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return `dep:${dep[1]}`;
  const ours = /\/src\/(.+)$/.exec(url);
  if (ours) return `src/${ours[1]}`;
  if (url.includes('/bench/')) return 'bench';
  return `other:${url}`;
};

const sorted = (counts: Map<string, number>): [string, number][] => [...counts].sort((a, b) => b[1] - a[1]);

/** Sums the samples of a profile by group and by function. */
export const summarize = (profile: ICpuProfile): IProfileSummary => {
  const nodes = new Map(profile.nodes.map(node => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inUpgrade = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (nodes.get(at)?.callFrame.functionName === 'upgrade') return true;
    return false;
  };
  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let started = false;
  let samples = 0;
  for (const id of profile.samples) {
    if (!started && !(started = inUpgrade(id))) continue;
    const frame = nodes.get(id)!.callFrame;
    const group = groupOf(frame);
    const name = `${frame.functionName || '(anonymous)'} ${group.startsWith('native:') ? '[native]' : `${group}:${frame.lineNumber + 1}`}`;
    byGroup.set(group, (byGroup.get(group) ?? 0) + 1);
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
    samples++;
  }
  return { samples, byGroup: sorted(byGroup), byFunction: sorted(byFunction) };
};

/** The summary as text: shares of the samples by group and the top functions. */
export const formatSummary = (summary: IProfileSummary, top = 25): string => {
  const share = (n: number): string => `${((100 * n) / Math.max(summary.samples, 1)).toFixed(1).padStart(5)} %`;
  const lines = [`${summary.samples} samples from the first upgrade on`, '', 'by where (top of stack):'];
  for (const [group, n] of summary.byGroup.slice(0, top)) lines.push(`  ${share(n)}  ${group}`);
  lines.push('', 'top functions:');
  for (const [name, n] of summary.byFunction.slice(0, top)) lines.push(`  ${share(n)}  ${name}`);
  return lines.join('\n');
};
