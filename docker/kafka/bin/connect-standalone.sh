#!/bin/bash
# connect-standalone.sh: 以单机模式（一个进程）运行 Kafka Connect 和几个连接器。Ctrl+C 结束。
#                        Runs Kafka Connect in standalone mode (one process) with a few connectors.
#
#   connect-standalone.sh [-daemon] config/connect-standalone.properties CONNECTOR.properties...
#   例（上游快速入门第 6 步，在 Kafka 目录里运行）/ e.g. upstream quickstart step 6, run in the Kafka directory:
#     echo "plugin.path=libs/connect-file-3.9.2.jar" >> config/connect-standalone.properties
#     echo -e "foo\nbar" > test.txt
#     connect-standalone.sh config/connect-standalone.properties \
#         config/connect-file-source.properties config/connect-file-sink.properties
#   文件 test.txt 的每一行进入主题 connect-test，再写进 test.sink.txt。
#   Each line of test.txt goes into the topic connect-test, and from there into test.sink.txt.
#
# 第一个文件配置 worker（连哪个集群、数据格式、位移存在哪），后面每个文件是一个连接器。
# 单机模式的位移（读到源文件的哪里）存在本地文件 offset.storage.file.filename 里；
# 多台机器组成一个 Connect 集群、可以容错的是 connect-distributed.sh。
# The first file configures the worker (which cluster, the data format, where offsets go); each
# further file is one connector. Standalone mode keeps its offsets (how far into the source file it
# has read) in the local file offset.storage.file.filename; for a fault-tolerant Connect cluster
# across machines, use connect-distributed.sh.
#
# worker 还会在 8083 端口开一个 REST 接口（查看、增删连接器），所以同一台机器上不能同时运行两个
# worker，除非改 listeners。
# The worker also serves a REST API on port 8083 (list, add and remove connectors), so two workers
# on one machine need different listeners.
#
# -daemon 时控制台输出在 $LOG_DIR/connectStandalone.out，日志在 $LOG_DIR/connect.log；
# 停止 / stop it:  kill $(pgrep -f ConnectStandalone)
# Under -daemon the console output goes to $LOG_DIR/connectStandalone.out, the log to connect.log.
#
# 内存：上游 -Xms256M -Xmx2G；这里 -Xms32m -Xmx256m，跑几个练习用的连接器足够了。
# 服务器内存紧张时可以更小，例如 KAFKA_HEAP_OPTS="-Xmx128m" connect-standalone.sh ...
# Memory: upstream -Xms256M -Xmx2G; here -Xms32m -Xmx256m, enough for a few practice connectors.
# Go lower when the server is short of memory, e.g. KAFKA_HEAP_OPTS="-Xmx128m" connect-standalone.sh ...

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] connect-standalone.properties [connector1.properties connector2.json ...]"
  exit 1
fi
bin_dir=$(dirname "$(readlink -f "$0")")

export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:-"-Dlog4j.configuration=file:$(cd "$bin_dir/.." && pwd)/config/connect-log4j.properties"}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms32m -Xmx256m"}

EXTRA_ARGS=${EXTRA_ARGS-'-name connectStandalone'}
if [ "$1" = "-daemon" ]; then
  EXTRA_ARGS="-daemon $EXTRA_ARGS"
  shift
fi

exec "$bin_dir/kafka-run-class.sh" $EXTRA_ARGS org.apache.kafka.connect.cli.ConnectStandalone "$@"
