/**
 * Runs test/fixtures/node-process.ts as a child process and counts every byte it logs.
 */
export interface IProcessNode {
  port: number;
  /** Bytes written to stdout + stderr so far. */
  logged(): number;
  stop(): Promise<void>;
}

export const startProcessNode = async (env: Record<string, string> = {}): Promise<IProcessNode> => {
  const proc = Bun.spawn([process.execPath, 'test/fixtures/node-process.ts'], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, ...env },
  });
  let bytes = 0;
  let text = '';
  let onPort!: (port: number) => void;
  const portReady = new Promise<number>(resolve => (onPort = resolve));
  const count = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      bytes += value.byteLength;
      if (text.length < 4096) {
        text += new TextDecoder().decode(value);
        const match = /PORT (\d+)/.exec(text);
        if (match) onPort(Number(match[1]));
      }
    }
  };
  const drained = Promise.all([count(proc.stdout as ReadableStream<Uint8Array>), count(proc.stderr as ReadableStream<Uint8Array>)]);
  const exited = proc.exited.then(code => {
    throw new Error(`node process exited early (${code}): ${text}`);
  });
  const port = await Promise.race([portReady, exited]);
  return {
    port,
    logged: () => bytes,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
      await drained;
    },
  };
};
