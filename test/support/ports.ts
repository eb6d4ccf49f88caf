/** A free TCP port on 127.0.0.1, found by binding port 0 and releasing it. */
export const freePort = async (): Promise<number> => {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
};
