#!/bin/bash
# kafka-run-class.sh: 启动 Kafka 的一个 Java 主类。bin/ 下所有脚本最后都调用它。
#                     Runs one Java main class of Kafka; every other script in bin/ ends up here.
#
#   kafka-run-class.sh [-daemon] [-name NAME] [-loggc] CLASS [ARGS...]
#     -daemon  后台运行，控制台输出写到 $LOG_DIR/NAME.out
#              run in the background, console output goes to $LOG_DIR/NAME.out
#     -name    进程名，用于 NAME.out 与 NAME-gc.log / name used for NAME.out and NAME-gc.log
#     -loggc   写 GC 日志 $LOG_DIR/NAME-gc.log / write a GC log
#
# 环境变量与上游 Kafka 相同；设置了哪个，就整体替换哪个默认值。
# The variables are upstream Kafka's; setting one replaces that default as a whole.
#   JAVA_HOME                   用哪个 java（默认 PATH 里的）/ which java (default: the one on PATH)
#   KAFKA_HEAP_OPTS             堆大小 / heap size
#   KAFKA_JVM_PERFORMANCE_OPTS  GC、JIT 等选项 / GC, JIT and similar flags
#   KAFKA_OPTS                  其他 JVM 参数，如 -Dkey=value / any other JVM flags
#   KAFKA_LOG4J_OPTS            日志配置（默认 config/tools-log4j.properties，只打到屏幕）
#                               logging config (default: config/tools-log4j.properties, console only)
#   LOG_DIR                     日志目录（默认 <kafka>/logs）/ log directory (default: <kafka>/logs)
#   KAFKA_GC_LOG_OPTS           -loggc 时的 GC 日志参数 / GC log flags used with -loggc
#   JMX_PORT, KAFKA_JMX_OPTS    远程 JMX 监控端口与参数 / remote JMX port and flags
#   KAFKA_DEBUG                 非空时打开远程调试（端口 JAVA_DEBUG_PORT，默认 5005）
#                               if set, open a Java debugger port (JAVA_DEBUG_PORT, default 5005)
#
# 与上游的区别：默认内存小得多（一台机器要跑整个班的集群），SerialGC，只用 C1 编译器（启动快、占内存少）。
# Unlike upstream: much smaller memory defaults (one host runs a whole class's clusters), SerialGC,
# and the C1 JIT only (faster start, smaller footprint). Upstream uses -Xmx256M and G1 for tools.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]"
  exit 1
fi

# 从脚本自身位置找到 Kafka 目录，经由 PATH 或软链接调用也可以。
# Find the Kafka directory from this script's own location, so PATH and symlinks work.
base_dir=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

# libs/ 下所有 jar；java 自己展开 "*"。/ Every jar in libs/; java expands the "*" itself.
CLASSPATH="${CLASSPATH:+$CLASSPATH:}$base_dir/libs/*"

LOG_DIR=${LOG_DIR:-$base_dir/logs}

if [ -z "$JAVA_HOME" ]; then
  JAVA=java
else
  JAVA="$JAVA_HOME/bin/java"
fi

# 工具（kafka-topics.sh 等）的堆：够用即可。broker 与 ZooKeeper 的在各自的 start 脚本里。
# Heap for the tools (kafka-topics.sh, ...). The broker's and ZooKeeper's are set by their start scripts.
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms16m -Xmx128m"}

# SerialGC：没有 GC 线程，小堆下停顿也很短。TieredStopAtLevel=1：只用 C1，启动快、RSS 小。
# SerialGC: no GC threads, and short pauses on a small heap. TieredStopAtLevel=1: C1 only, which
# starts faster and uses less memory; fine for a learning cluster, not for a benchmark.
KAFKA_JVM_PERFORMANCE_OPTS=${KAFKA_JVM_PERFORMANCE_OPTS:-"-server -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=128m -Xss512k -Djava.awt.headless=true"}

# 日志：工具默认只打到屏幕；broker 的 start 脚本会改成 config/log4j.properties（写文件）。
# Logging: tools log to the console; kafka-server-start.sh switches to config/log4j.properties (files).
if [ -z "$KAFKA_LOG4J_OPTS" ]; then
  KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/config/tools-log4j.properties"
else
  mkdir -p "$LOG_DIR"
fi
KAFKA_LOG4J_OPTS="-Dkafka.logs.dir=$LOG_DIR $KAFKA_LOG4J_OPTS"

# JMX：设置了 JMX_PORT 才打开远程端口。上游总是加 -Dcom.sun.management.jmxremote，每个工具启动要慢约 0.4 秒；
# 本机的 jconsole、jcmd 不需要它也能连上。
# JMX: a remote port only when JMX_PORT is set. Upstream always adds -Dcom.sun.management.jmxremote,
# which costs every tool about 0.4 s at start; local jconsole and jcmd attach without it.
if [ -n "$JMX_PORT" ]; then
  KAFKA_JMX_OPTS=${KAFKA_JMX_OPTS:-"-Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false"}
  KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT"
fi

if [ -n "$KAFKA_DEBUG" ]; then
  JAVA_DEBUG_OPTS=${JAVA_DEBUG_OPTS:-"-agentlib:jdwp=transport=dt_socket,server=y,suspend=${DEBUG_SUSPEND_FLAG:-n},address=${JAVA_DEBUG_PORT:-5005}"}
  echo "Enabling Java debug options: $JAVA_DEBUG_OPTS"
  KAFKA_OPTS="$JAVA_DEBUG_OPTS $KAFKA_OPTS"
fi

while [ $# -gt 0 ]; do
  case $1 in
    -name)   DAEMON_NAME=$2; shift 2 ;;
    -loggc)  GC_LOG_ENABLED=true; shift ;;
    -daemon) DAEMON_MODE=true; shift ;;
    *)       break ;;
  esac
done
DAEMON_NAME=${DAEMON_NAME:-$(echo "$1" | sed 's/.*\.//')}

# GC 日志：上游是 10 个 100 MB 的文件；这里 2 个 1 MB，每次 GC 一行。
# GC log: upstream keeps 10 files of 100 MB; here 2 files of 1 MB, one line per collection.
if [ "$GC_LOG_ENABLED" = true ] && [ -z "$KAFKA_GC_LOG_OPTS" ]; then
  mkdir -p "$LOG_DIR"
  KAFKA_GC_LOG_OPTS="-Xlog:gc:file=$LOG_DIR/$DAEMON_NAME-gc.log:time,tags:filecount=2,filesize=1M"
fi

# $KAFKA_HEAP_OPTS 等故意不加引号：它们是多个参数。/ Deliberately unquoted: each holds several flags.
if [ "$DAEMON_MODE" = true ]; then
  mkdir -p "$LOG_DIR"
  CONSOLE_OUTPUT_FILE="$LOG_DIR/$DAEMON_NAME.out"
  nohup "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS $KAFKA_LOG4J_OPTS \
    -cp "$CLASSPATH" $KAFKA_OPTS "$@" > "$CONSOLE_OUTPUT_FILE" 2>&1 < /dev/null &
  echo "$DAEMON_NAME 已在后台启动 / started in the background: pid $!, output in $CONSOLE_OUTPUT_FILE"
else
  exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS $KAFKA_LOG4J_OPTS \
    -cp "$CLASSPATH" $KAFKA_OPTS "$@"
fi
