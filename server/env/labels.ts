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
  /**
   * On warm-pool environments: the mode they were booted in. Their owner label stays empty (Docker
   * labels cannot change); once claimed, the store says whose they are.
   */
  pool: 'kafkalab.pool',
} as const;

/**
 * Whose a container is, from its labels: the owner label, or for a warm-pool one (labelled pooled,
 * with the pool's empty owner) whoever `claimedBy` (the store) says took it; the pool's while
 * nobody did. The one rule the backend and node access both apply.
 */
export function ownerOfLabels(
  labels: Readonly<Record<string, string>>,
  claimedBy: ((envId: string) => string | undefined) | undefined,
): string {
  const label = labels[LABELS.owner] ?? '';
  const env = labels[LABELS.env];
  if (label !== '' || labels[LABELS.pool] === undefined || env === undefined) return label;
  return claimedBy?.(env) ?? '';
}
