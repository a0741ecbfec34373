#!/bin/bash
# zookeeper-server-start.sh: 用 Kafka 自带的 ZooKeeper 启动一个 ZooKeeper 服务器（单机练习用）。
#                            Starts a ZooKeeper server from the jars shipped with Kafka (quickstart).
#
#   zookeeper-server-start.sh [-daemon] config/zookeeper.properties
#
# 注意：本课程的服务器上已经装好了一个 ZooKeeper 集群（/opt/zookeeper，zkServer.sh status 查看），
# Kafka 连它就行，不需要再用这个脚本。
# Note: the course's servers already run a ZooKeeper ensemble (/opt/zookeeper, see zkServer.sh
# status); Kafka uses that one, so you do not need this script there.
#
# 内存：上游 -Xmx512M -Xms512M；这里 -Xms8m -Xmx64m，几百个 znode 用不了多少。KAFKA_HEAP_OPTS 可改。
# Memory: upstream -Xmx512M -Xms512M; here -Xms8m -Xmx64m, a few hundred znodes need little.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] zookeeper.properties"
  exit 1
fi
bin_dir=$(dirname "$(readlink -f "$0")")

export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:-"-Dlog4j.configuration=file:$(cd "$bin_dir/.." && pwd)/config/log4j.properties"}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms8m -Xmx64m"}

EXTRA_ARGS=${EXTRA_ARGS-'-name zookeeper -loggc'}
if [ "$1" = "-daemon" ]; then
  EXTRA_ARGS="-daemon $EXTRA_ARGS"
  shift
fi

exec "$bin_dir/kafka-run-class.sh" $EXTRA_ARGS org.apache.zookeeper.server.quorum.QuorumPeerMain "$@"
