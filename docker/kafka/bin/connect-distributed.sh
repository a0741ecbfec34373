#!/bin/bash
# connect-distributed.sh: 以分布式模式运行一个 Kafka Connect worker。/ Runs one Kafka Connect worker in distributed mode.
#
#   connect-distributed.sh [-daemon] config/connect-distributed.properties
#
# 在几台服务器上用同一个 group.id 各启动一个 worker，它们就组成一个 Connect 集群：连接器和任务
# 分摊到各个 worker 上，某个 worker 挂了，它的任务会转给别的 worker。配置、位移、状态都存在
# Kafka 的三个内部主题里（connect-configs、connect-offsets、connect-status），不在本地文件里。
# Start one worker with the same group.id on several servers and they form one Connect cluster:
# connectors and tasks are spread over the workers, and a failed worker's tasks move to the
# others. Configs, offsets and status live in three Kafka topics (connect-configs,
# connect-offsets, connect-status), not in local files.
#
# 分布式模式不在命令行上给连接器，而是通过 REST 接口（默认 8083 端口）提交 JSON：
# Connectors are not given on the command line but submitted as JSON to the REST API (port 8083):
#   POST http://bigdata01:8083/connectors   {"name": "...", "config": {...}}
#   GET  http://bigdata01:8083/connectors
#
# -daemon 时控制台输出在 $LOG_DIR/connectDistributed.out，日志在 $LOG_DIR/connect.log；
# 停止 / stop it:  kill $(pgrep -f ConnectDistributed)
# Under -daemon the console output goes to $LOG_DIR/connectDistributed.out, the log to connect.log.
#
# 内存：上游 -Xms256M -Xmx2G；这里 -Xms32m -Xmx256m。KAFKA_HEAP_OPTS 可改。
# Memory: upstream -Xms256M -Xmx2G; here -Xms32m -Xmx256m. Set KAFKA_HEAP_OPTS to change it.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] connect-distributed.properties"
  exit 1
fi
bin_dir=$(dirname "$(readlink -f "$0")")

export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:-"-Dlog4j.configuration=file:$(cd "$bin_dir/.." && pwd)/config/connect-log4j.properties"}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms32m -Xmx256m"}

EXTRA_ARGS=${EXTRA_ARGS-'-name connectDistributed'}
if [ "$1" = "-daemon" ]; then
  EXTRA_ARGS="-daemon $EXTRA_ARGS"
  shift
fi

exec "$bin_dir/kafka-run-class.sh" $EXTRA_ARGS org.apache.kafka.connect.cli.ConnectDistributed "$@"
