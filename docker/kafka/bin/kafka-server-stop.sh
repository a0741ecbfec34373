#!/bin/bash
# kafka-server-stop.sh: 停止本机上的 Kafka 服务器（broker 或 KRaft 控制器）。
#                       Stops the Kafka servers (brokers or KRaft controllers) on this machine.
#
#   kafka-server-stop.sh                            # 本机所有的 / every one on this machine
#   kafka-server-stop.sh --process-role=controller  # 只停控制器 / controllers only
#   kafka-server-stop.sh --process-role=broker      # 只停 broker / brokers only
#   kafka-server-stop.sh --node-id=3001             # 只停 node.id 为 3001 的 / only node.id 3001
#
# 和上游一样：用 ps 找主类为 kafka.Kafka 的 java 进程，发 SIGTERM；它会先正常关闭（broker 交出分区
# leader、刷盘），几秒后才退出。用 jps 确认它已经没了。SIGNAL=KILL kafka-server-stop.sh 强制杀掉
# （没有了正常关闭）。两个选项都给时，以 --node-id 为准。
# As upstream: find java processes whose main class is kafka.Kafka with ps and send SIGTERM. Each
# shuts down cleanly (a broker hands over partition leadership and flushes) and exits a few seconds
# later; check with jps. SIGNAL=KILL kafka-server-stop.sh forces it (no clean shutdown). Given both
# options, --node-id wins.
#
# broker 和控制器是同一个主类 kafka.Kafka，jps 里都叫 Kafka；区别只在启动时给的配置文件
# （process.roles）。--process-role/--node-id 就是去读每个进程的配置文件来挑选的。
# Brokers and controllers share the main class kafka.Kafka (both show as Kafka in jps); only the
# config file they were started with (process.roles) tells them apart, and that file is what
# --process-role and --node-id read.
#
# 与上游的区别：上游按脚本的当前目录去找进程的相对配置路径（所以要求和启动时在同一个目录运行），
# 这里按进程自己的目录找；上游只认 process.roles 和 node.id，这里把没有 process.roles 的
# ZooKeeper 模式 broker 也算作 broker、把它的 broker.id 当作 node id，迁移期间一台机器上同时跑着
# ZooKeeper 模式的 broker 和控制器时也能只停其中一个。
# Unlike upstream: a relative config path is resolved against the process's own working directory
# (upstream uses the stop script's, so it must run where the server was started); and a
# ZooKeeper-mode broker (no process.roles) counts as a broker with its broker.id as node id, so
# that during a migration, with a ZooKeeper-mode broker and a controller on one machine, either one
# can be stopped alone (upstream's options match neither kind of ZooKeeper-mode broker).

SIGNAL=${SIGNAL:-TERM}
role=
node_id=
while [ $# -gt 0 ]; do
  case $1 in
    --process-role=*) role=${1#*=} ;;
    --node-id=*)      node_id=${1#*=} ;;
    --process-role)   role=$2; shift ;;
    --node-id)        node_id=$2; shift ;;
    *) echo "USAGE: $0 [--process-role=broker|controller] [--node-id=ID]" >&2; exit 1 ;;
  esac
  shift
done
if [ -n "$role" ] && [ -n "$node_id" ]; then
  echo "When both node-id and process-role are provided, the value for node-id will take precedence"
  role=
fi

# 一个配置项在进程里的取值：命令行的 --override 优先，否则取配置文件里最后一次出现的（和 Java 的
# Properties 一样）。/ A setting's value for a process: an --override on its command line wins,
# else the last occurrence in its config file (as Java's Properties read it).
setting() { # pid config key
  local value
  value=$(tr '\0' '\n' < "/proc/$1/cmdline" | sed -n "s/^$3=//p" | tail -n 1)
  [ -n "$value" ] || value=$(sed -n "s/^[[:space:]]*${3//./\\.}[[:space:]]*[=:][[:space:]]*//p" "$2" 2>/dev/null | tail -n 1)
  echo "${value%"${value##*[![:space:]]}"}"
}

PIDS=$(ps ax | grep ' kafka\.Kafka ' | grep java | grep -v grep | awk '{print $1}')
if [ -z "$PIDS" ]; then
  echo "No kafka server to stop"
  exit 1
fi

chosen=()
for pid in $PIDS; do
  if [ -z "$role" ] && [ -z "$node_id" ]; then
    chosen+=("$pid")
    continue
  fi
  # 配置文件是 kafka.Kafka 后面的那个参数，相对路径按进程自己的当前目录解析。
  # The config file is the argument after kafka.Kafka; a relative path is the process's own.
  config=$(tr '\0' '\n' < "/proc/$pid/cmdline" | sed -n '/^kafka\.Kafka$/{n;p;q}')
  case $config in /*) ;; *) config=$(readlink -f "/proc/$pid/cwd")/$config ;; esac
  roles=$(setting "$pid" "$config" process.roles)
  id=$(setting "$pid" "$config" node.id)
  if [ -z "$roles" ]; then
    roles=broker                                     # ZooKeeper 模式 / ZooKeeper mode
    id=$(setting "$pid" "$config" broker.id)
  fi
  if { [ -n "$node_id" ] && [ "$id" = "$node_id" ]; } || { [ -n "$role" ] && [ "$roles" = "$role" ]; }; then
    chosen+=("$pid")
    echo "Stopping $roles $id (pid $pid, $config)"
  fi
done

if [ ${#chosen[@]} -eq 0 ]; then
  echo "No kafka server${role:+ with process.roles=$role}${node_id:+ with node id $node_id} to stop"
  exit 1
fi
[ -z "$role" ] && [ -z "$node_id" ] && echo "Stopping Kafka, pid ${chosen[*]}"
kill -s "$SIGNAL" "${chosen[@]}"
