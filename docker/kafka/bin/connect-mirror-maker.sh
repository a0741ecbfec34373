#!/bin/bash
# connect-mirror-maker.sh: MirrorMaker 2：把一个 Kafka 集群的主题持续复制到另一个集群，并记下消费者组位移
#                          在两边的对应关系（checkpoint），消费者可以换到另一个集群接着读。
#                          MirrorMaker 2: keeps copying topics from one Kafka cluster to another and
#                          records how consumer group offsets translate (checkpoints), so that
#                          consumers can move to the other cluster and carry on.
#
#   connect-mirror-maker.sh [-daemon] config/connect-mirror-maker.properties [--clusters A B]
#     --clusters  只为这几个目标集群工作（多个 MirrorMaker 进程分工时用）
#                 only work for these target clusters (to split the work between processes)
#
# 它在内部运行几个 Kafka Connect 连接器（MirrorSourceConnector、MirrorCheckpointConnector、
# MirrorHeartbeatConnector），所以日志看起来和 Connect 一样。复制过去的主题会带上源集群的别名，
# 例如 A 的 orders 在 B 里叫 A.orders。
# Internally it runs Kafka Connect connectors (MirrorSourceConnector, MirrorCheckpointConnector,
# MirrorHeartbeatConnector), so its log looks like Connect's. A copied topic is prefixed with the
# source cluster's alias: A's orders is A.orders in B.
#
# 与 Kafka 1.1.1 的区别：那时的 kafka-mirror-maker.sh（MirrorMaker 1）只是一个消费者加一个生产者，
# 3.0 起已过时，4.0 删除；MirrorMaker 2 从 2.4 开始提供。
# Since Kafka 1.1.1: the kafka-mirror-maker.sh of that time (MirrorMaker 1, a consumer plus a
# producer) is deprecated since 3.0 and removed in 4.0; MirrorMaker 2 arrived in 2.4.
#
# -daemon 时控制台输出在 $LOG_DIR/mirrorMaker.out，日志在 $LOG_DIR/connect.log。
# Under -daemon the console output goes to $LOG_DIR/mirrorMaker.out, the log to connect.log.
# 内存：上游 -Xms256M -Xmx2G；这里 -Xms32m -Xmx256m。KAFKA_HEAP_OPTS 可改。
# Memory: upstream -Xms256M -Xmx2G; here -Xms32m -Xmx256m. Set KAFKA_HEAP_OPTS to change it.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] mm2.properties"
  exit 1
fi
bin_dir=$(dirname "$(readlink -f "$0")")

export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:-"-Dlog4j.configuration=file:$(cd "$bin_dir/.." && pwd)/config/connect-log4j.properties"}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms32m -Xmx256m"}

EXTRA_ARGS=${EXTRA_ARGS-'-name mirrorMaker'}
if [ "$1" = "-daemon" ]; then
  EXTRA_ARGS="-daemon $EXTRA_ARGS"
  shift
fi

exec "$bin_dir/kafka-run-class.sh" $EXTRA_ARGS org.apache.kafka.connect.mirror.MirrorMaker "$@"
