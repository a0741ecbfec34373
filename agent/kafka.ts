/**
 * kafkajs, configured for a short-lived tool rather than a long-running service: silent, quick
 * to give up on a stopped broker, and never allowed to outlive the command's deadline.
 */
import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import type { HostPort } from './args.ts';
import type { Deadline } from './deadline.ts';

/** The client id brokers see in their request logs and in `kafka-consumer-groups.sh`. */
export const CLIENT_ID = 'kafkalab-agent';

/** The group prefix the agent's own consumers use; the live picture hides these groups. */
export const AGENT_GROUP_PREFIX = '__kafkalab_agent';

/** Formats addresses for kafkajs, which wants "host:port" strings. */
export function brokerList(brokers: readonly HostPort[]): string[] {
  return brokers.map(({ host, port }) => `${host}:${port}`);
}

/**
 * A kafkajs client. Timeouts are short because the defaults (30 s requests, 5 retries with
 * back-off up to 30 s) would keep a stopped broker's command busy far past `--timeout`.
 * `brokers` should list addresses known to answer first: kafkajs tries them in order.
 */
export function createKafka(brokers: readonly string[], deadline: Deadline): Kafka {
  // kafkajs warns about its partitioner change on the first producer; the agent does not care.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  return new kafkajs.Kafka({
    clientId: CLIENT_ID,
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: deadline.budget(1500),
    requestTimeout: deadline.budget(4000),
    retry: { retries: 2, initialRetryTime: 150, maxRetryTime: 1000 },
  });
}
