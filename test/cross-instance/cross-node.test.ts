/**
 * The cross-node suite on every backend: helpers sharing the in-process hub, a single
 * redis-server, and a real three-master Redis Cluster. `redis-restart.test.ts` stays on single
 * Redis: killing one server is what it is about.
 */
import { memoryBackend, redisBackend, redisClusterBackend } from './backends';
import { crossNodeSuite } from './cross-node-suite';

for (const backend of [memoryBackend(), redisBackend(), redisClusterBackend()]) crossNodeSuite(backend);
