/**
 * Ignis reads port 0 as "not set" and falls back to $PORT, then 3000, so "any free port" has to
 * be chosen before the app is built: bind port 0 on loopback, note the port, release it.
 */
export const freePort = (): number => {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
};

/** The port to give Ignis: `port` itself, or a free one for 0. */
export const concretePort = (port: number): number => (port === 0 ? freePort() : port);
