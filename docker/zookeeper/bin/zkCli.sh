#!/bin/bash
# zkCli.sh: ZooKeeper 命令行客户端。/ The ZooKeeper command-line client.
#
#   zkCli.sh                                      连本机 localhost:2181，交互模式 / interactive, localhost:2181
#   zkCli.sh -server bigdata01:2181               交互模式 / interactive
#   zkCli.sh -server bigdata01:2181 ls /kafka/brokers/ids     执行一条命令后退出 / run one command and exit
#   zkCli.sh -server bigdata01:2181 get /kafka/controller
# 交互模式里输入 help 查看命令，quit 退出。/ In interactive mode type help for the commands, quit to leave.
#
# 变量 / Variables: JAVA_HOME, ZK_CLIENT_HEAP (MB, default 64; upstream 256), CLIENT_JVMFLAGS.
# 客户端自己的日志只有 WARN 以上，打到 stderr。/ The client's own log is WARN and above, on stderr.

ZOOKEEPER_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
ZOOCFGDIR=${ZOOCFGDIR:-$ZOOKEEPER_HOME/conf}
LOG4J_FILE="$ZOOCFGDIR/log4j.properties"
[ -f "$LOG4J_FILE" ] || LOG4J_FILE="$ZOOKEEPER_HOME/conf/log4j.properties"
if [ -n "$JAVA_HOME" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

# shellcheck disable=SC2086  # CLIENT_JVMFLAGS holds several flags
exec "$JAVA" -Xms8m -Xmx"${ZK_CLIENT_HEAP:-64}"m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k \
  -Dzookeeper.root.logger="${ZOO_LOG4J_PROP:-WARN,CONSOLE}" -Dlog4j.configuration="file:$LOG4J_FILE" \
  $CLIENT_JVMFLAGS -cp "$ZOOKEEPER_HOME/lib/*:$ZOOCFGDIR" org.apache.zookeeper.ZooKeeperMain "$@"
