/**
 * Labels on every Docker object Kafka Lab creates. With the name prefix they let the reconciler,
 * the tests and an operator (`docker ps --filter label=kafkalab.prefix=kafkalab`) find everything.
 */
export const LABELS = {
  prefix: 'kafkalab.prefix',
  env: 'kafkalab.env',
  owner: 'kafkalab.owner',
  mode: 'kafkalab.mode',
  node: 'kafkalab.node',
} as const;
