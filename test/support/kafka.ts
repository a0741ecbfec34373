/**
 * `--override` flags that let the project's three-broker server.properties run as a single
 * broker in one container (the image test and the broker bench): one broker cannot hold
 * internal topics with three replicas.
 */
export const SINGLE_BROKER_OVERRIDES = [
  'broker.id=1',
  'log.dirs=/opt/data/kafka',
  'zookeeper.connect=bigdata01:2181/kafka',
  'offsets.topic.replication.factor=1',
  'transaction.state.log.replication.factor=1',
  'transaction.state.log.min.isr=1',
]
  .map((o) => `--override ${o}`)
  .join(' ');
