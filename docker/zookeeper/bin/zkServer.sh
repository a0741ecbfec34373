#!/bin/bash
# zkServer.sh: 启动、停止、查看本机的 ZooKeeper 服务器。/ Starts, stops and inspects this machine's ZooKeeper server.
#
#   zkServer.sh start             后台启动 / start in the background
#   zkServer.sh stop              停止（按 pid 文件）/ stop (the process in the pid file)
#   zkServer.sh restart
#   zkServer.sh status            Mode: leader | follower | standalone
#   zkServer.sh start-foreground  前台运行，日志打到屏幕 / run in the foreground, log to the console
#
# 配置 / configuration:  $ZOOCFGDIR/zoo.cfg (default /opt/zookeeper/conf/zoo.cfg, written by zk-configure.sh)
# 日志 / logs:           $ZOO_LOG_DIR (default <dataDir>/logs, i.e. /opt/data/zookeeper/logs):
#                        zookeeper.log, and zookeeper.out (console output)
# 进程号 / pid file:      <dataDir>/zookeeper_server.pid
#
# 变量（与上游 ZooKeeper 相同）/ Variables, as in upstream ZooKeeper:
#   JAVA_HOME, ZOOCFGDIR, ZOO_LOG_DIR, ZOOPIDFILE,
#   ZK_SERVER_HEAP   最大堆，MB，默认 64（上游 1000）/ max heap in MB, default 64 (upstream 1000)
#   SERVER_JVMFLAGS  追加的 JVM 参数 / extra JVM flags, appended
# 若存在 $ZOOCFGDIR/zookeeper-env.sh，会先读入它（可在里面设置上面这些变量）。
# $ZOOCFGDIR/zookeeper-env.sh, if present, is sourced first (a place to set the variables above).

ZOOKEEPER_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
ZOOCFGDIR=${ZOOCFGDIR:-$ZOOKEEPER_HOME/conf}
# shellcheck source=/dev/null
[ -f "$ZOOCFGDIR/zookeeper-env.sh" ] && . "$ZOOCFGDIR/zookeeper-env.sh"

ZOOCFG="$ZOOCFGDIR/zoo.cfg"
if [ ! -f "$ZOOCFG" ]; then
  echo "zkServer.sh: $ZOOCFG not found; write it with zk-configure.sh" >&2
  exit 1
fi
cfg_get() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$ZOOCFG" | tail -n 1 | tr -d '[:space:]'; }
data_dir=$(cfg_get dataDir)
client_port=$(cfg_get clientPort)
client_port=${client_port:-2181}

ZOO_LOG_DIR=${ZOO_LOG_DIR:-$data_dir/logs}
ZOOPIDFILE=${ZOOPIDFILE:-$data_dir/zookeeper_server.pid}
if [ -n "$JAVA_HOME" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
LOG4J_FILE="$ZOOCFGDIR/log4j.properties"
[ -f "$LOG4J_FILE" ] || LOG4J_FILE="$ZOOKEEPER_HOME/conf/log4j.properties"

# 小内存：SerialGC，只用 C1 编译器。上游默认 -Xmx1000m。
# Small footprint: SerialGC and the C1 JIT only. Upstream defaults to -Xmx1000m.
JVM_OPTS="-Xms8m -Xmx${ZK_SERVER_HEAP:-64}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
 -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -Xss512k -Djava.awt.headless=true $SERVER_JVMFLAGS"
MAIN=org.apache.zookeeper.server.quorum.QuorumPeerMain

# pid 文件里的进程是否真是 ZooKeeper（容器重启后旧 pid 可能被别的进程占用）。
# Is the process in the pid file really ZooKeeper? After a container restart the old pid may
# belong to another process.
running_pid() {
  local pid
  pid=$(cat "$ZOOPIDFILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN" && echo "$pid"
}

# 发一个四字命令到客户端端口（用 bash 的 /dev/tcp，不需要 nc）。
# Send a four-letter word to the client port (bash's /dev/tcp; same as: echo srvr | nc localhost 2181).
four_letter() {
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "%s" "$2" >&3 && cat <&3' _ "$client_port" "$1" 2>/dev/null
}

start() {
  local pid
  if pid=$(running_pid); then
    echo "zookeeper already running as process $pid."
    return 0
  fi
  mkdir -p "$ZOO_LOG_DIR" "$(dirname "$ZOOPIDFILE")"
  echo -n "Starting zookeeper ... "
  # shellcheck disable=SC2086  # JVM_OPTS holds several flags
  nohup "$JAVA" $JVM_OPTS -Dzookeeper.log.dir="$ZOO_LOG_DIR" -Dzookeeper.root.logger=INFO,ROLLINGFILE \
    -Dlog4j.configuration="file:$LOG4J_FILE" -cp "$ZOOKEEPER_HOME/lib/*:$ZOOCFGDIR" \
    "$MAIN" "$ZOOCFG" > "$ZOO_LOG_DIR/zookeeper.out" 2>&1 < /dev/null &
  echo $! > "$ZOOPIDFILE"
  # 等它在客户端端口上回答 ruok（最多 10 秒）；没有 quorum 时也会回答。
  # Wait until it answers ruok on the client port (10 s at most); it does so even without a quorum.
  for _ in $(seq 100); do
    if ! running_pid > /dev/null; then
      echo "FAILED TO START; see $ZOO_LOG_DIR/zookeeper.out and zookeeper.log:"
      tail -n 20 "$ZOO_LOG_DIR/zookeeper.out"
      return 1
    fi
    [ "$(four_letter ruok)" = imok ] && break
    sleep 0.1
  done
  echo STARTED
}

stop() {
  local pid
  echo -n "Stopping zookeeper ... "
  if ! pid=$(running_pid); then
    rm -f "$ZOOPIDFILE"
    echo "no zookeeper to stop"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo -n "still running after 10 s, killing ... "
    kill -9 "$pid"
  fi
  rm -f "$ZOOPIDFILE"
  echo STOPPED
}

status() {
  local reply mode
  echo "Using config: $ZOOCFG"
  echo "Client port found: $client_port. Client address: 127.0.0.1."
  reply=$(four_letter srvr)
  mode=$(echo "$reply" | sed -n 's/^Mode: //p')
  if [ -n "$mode" ]; then
    echo "Mode: $mode"
  elif [ -n "$reply" ]; then
    echo "ZooKeeper is running but not serving requests: no quorum yet (a majority of the servers in zoo.cfg must be up)."
    return 1
  else
    echo "Error contacting service. It is probably not running."
    return 1
  fi
}

case $1 in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  start-foreground)
    mkdir -p "$ZOO_LOG_DIR"
    # shellcheck disable=SC2086
    exec "$JAVA" $JVM_OPTS -Dzookeeper.log.dir="$ZOO_LOG_DIR" -Dzookeeper.root.logger=INFO,CONSOLE \
      -Dlog4j.configuration="file:$LOG4J_FILE" -cp "$ZOOKEEPER_HOME/lib/*:$ZOOCFGDIR" "$MAIN" "$ZOOCFG"
    ;;
  *)
    echo "Usage: $0 {start|start-foreground|stop|restart|status}" >&2
    exit 1
    ;;
esac
