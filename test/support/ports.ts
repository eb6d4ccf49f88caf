/** A free TCP port on 127.0.0.1: the package's own helper (src/testing/free-port.ts). */
export { freePort } from '../../src/testing';
