/**
 * The agent's one error type. Commands throw it for expected failures; the runner turns it into
 * `{"error":{"code","message"}}` on stdout and exit 1, never a stack trace.
 */

/** Machine-readable failure reasons the server and the graded checks switch on. */
export type AgentErrorCode =
  | 'kafka_unreachable'
  | 'zk_unreachable'
  | 'timeout'
  | 'not_found'
  | 'partition_offline'
  | 'kafka_error'
  | 'zk_error'
  | 'internal';

/** An expected failure with a stable code and a message a student may read. */
export class AgentError extends Error {
  override name = 'AgentError';

  constructor(
    readonly code: AgentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad command-line arguments: the runner prints usage on stderr and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A readable one-line message for anything thrown, without a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    // kafkajs wraps the real reason (e.g. ECONNREFUSED) in "retries exceeded" errors.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error && cause !== err && !err.message.includes(cause.message)) {
      return `${err.message}: ${cause.message}`;
    }
    return err.message;
  }
  return String(err);
}

/**
 * Maps an error from kafkajs's producer or consumer to an AgentError, keeping AgentErrors as
 * they are. Connection failures become `kafka_unreachable` so the UI can say "cluster down".
 */
export function asKafkaError(err: unknown, what: string): AgentError {
  if (err instanceof AgentError) return err;
  const names = [err, (err as { cause?: unknown } | null)?.cause].map((e) =>
    e instanceof Error ? e.name : '',
  );
  const text = messageOf(err);
  const unreachable =
    names.includes('KafkaJSConnectionError') ||
    names.includes('KafkaJSBrokerNotFound') ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ETIMEDOUT|Connection timeout|Closed connection/i.test(
      text,
    );
  return new AgentError(unreachable ? 'kafka_unreachable' : 'kafka_error', `${what}: ${text}`, {
    cause: err,
  });
}
