#!/bin/bash
# kafka-server-start.sh: 启动一个 Kafka broker（ZooKeeper 模式）。/ Starts one Kafka broker (ZooKeeper mode).
#
#   kafka-server-start.sh [-daemon] config/server.properties [--override key=value]...
#     -daemon     后台运行；控制台输出在 $LOG_DIR/kafkaServer.out，日志在 $LOG_DIR/server.log
#                 run in the background; console output in $LOG_DIR/kafkaServer.out, log in server.log
#     --override  临时改一个配置项而不改文件，如 --override broker.id=2
#                 change one setting without editing the file, e.g. --override broker.id=2
#
# 看是否启动成功 / Did it start?  jps（应有 Kafka / should list Kafka），
#   grep 'started (kafka.server.KafkaServer)' $KAFKA_HOME/logs/server.log
#
# 内存：上游默认 -Xmx1G -Xms1G；这里 -Xms32m -Xmx256m，一个学习用的 broker 足够了。
# 想要别的值就设置 KAFKA_HEAP_OPTS，例如 KAFKA_HEAP_OPTS="-Xms1g -Xmx1g" kafka-server-start.sh ...
# Memory: upstream starts with -Xmx1G -Xms1G; here -Xms32m -Xmx256m, plenty for a learning broker.
# Set KAFKA_HEAP_OPTS to change it. Other variables: see kafka-run-class.sh.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] server.properties [--override property=value]*"
  exit 1
fi
bin_dir=$(dirname "$(readlink -f "$0")")

export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:-"-Dlog4j.configuration=file:$(cd "$bin_dir/.." && pwd)/config/log4j.properties"}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms32m -Xmx256m"}

# 与上游相同：进程名 kafkaServer，写一个（很小的）GC 日志。/ As upstream: name kafkaServer, a (tiny) GC log.
EXTRA_ARGS=${EXTRA_ARGS-'-name kafkaServer -loggc'}
if [ "$1" = "-daemon" ]; then
  EXTRA_ARGS="-daemon $EXTRA_ARGS"
  shift
fi

exec "$bin_dir/kafka-run-class.sh" $EXTRA_ARGS kafka.Kafka "$@"
