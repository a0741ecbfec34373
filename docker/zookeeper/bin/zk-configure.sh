#!/bin/bash
# zk-configure.sh: 根据环境变量生成 zoo.cfg 和 myid。每次容器启动都可以运行：数据不会丢。
#                  Writes zoo.cfg and myid from environment variables. Safe to run on every
#                  container start: it keeps the data.
#
# 环境变量 / Environment:
#   KAFKALAB_ZK_SERVERS      集群里的服务器，逗号分隔，第 N 个就是 server.N。默认 bigdata01,bigdata02,bigdata03。
#                            只写一个就是单机模式（standalone）。
#                            The ensemble, comma-separated; the N-th entry is server.N. Default
#                            bigdata01,bigdata02,bigdata03. A single entry configures standalone mode.
#                            每项是 host，或 host:peerPort:electionPort（同一台机器上跑多个节点做测试时）。
#                            Each entry is host, or host:peerPort:electionPort (several nodes on one
#                            machine, for tests); ports default to 2888:3888.
#   KAFKALAB_ZK_MYID         本机的编号 1..N。不设置时按本机主机名在列表中的位置推出来。
#                            This server's id, 1..N. Unset: the position of `hostname` in the list.
#   KAFKALAB_ZK_CLIENT_PORT  客户端端口，默认 2181。/ The client port, default 2181.
#   KAFKALAB_ZK_DATA_DIR     数据目录，默认 /opt/data/zookeeper（日志在其下的 logs/）。
#                            Data directory, default /opt/data/zookeeper (logs go to its logs/).
#   ZOOCFGDIR                zoo.cfg 写到哪里，默认 <zookeeper>/conf。/ Where zoo.cfg goes, default <zookeeper>/conf.
set -euo pipefail

ZOOKEEPER_HOME=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
ZOOCFGDIR=${ZOOCFGDIR:-$ZOOKEEPER_HOME/conf}
servers=${KAFKALAB_ZK_SERVERS:-bigdata01,bigdata02,bigdata03}
client_port=${KAFKALAB_ZK_CLIENT_PORT:-2181}
data_dir=${KAFKALAB_ZK_DATA_DIR:-/opt/data/zookeeper}

fail() { echo "zk-configure.sh: $*" >&2; exit 1; }

IFS=',' read -r -a entries <<< "${servers// /}"
count=${#entries[@]}
[ "$count" -ge 1 ] || fail "KAFKALAB_ZK_SERVERS is empty"
[[ "$client_port" =~ ^[0-9]+$ ]] || fail "KAFKALAB_ZK_CLIENT_PORT must be a port number, got '$client_port'"

myid=${KAFKALAB_ZK_MYID:-}
if [ -z "$myid" ]; then
  if [ "$count" -eq 1 ]; then
    myid=1
  else
    me=$(hostname)
    for i in "${!entries[@]}"; do
      [ "${entries[$i]%%:*}" = "$me" ] && myid=$((i + 1))
    done
    [ -n "$myid" ] || fail "set KAFKALAB_ZK_MYID: host '$me' is not in KAFKALAB_ZK_SERVERS=$servers"
  fi
fi
[[ "$myid" =~ ^[0-9]+$ ]] && [ "$myid" -ge 1 ] && [ "$myid" -le "$count" ] ||
  fail "KAFKALAB_ZK_MYID must be 1..$count (one per entry of KAFKALAB_ZK_SERVERS), got '$myid'"

mkdir -p "$ZOOCFGDIR" "$data_dir/logs"

# 先写临时文件再改名：运行中的 ZooKeeper 不会读到写了一半的文件。
# Write a temporary file, then rename, so nothing ever reads a half-written zoo.cfg.
cfg="$ZOOCFGDIR/zoo.cfg"
{
  cat <<EOF
# zoo.cfg: 由 zk-configure.sh 生成，重新运行它会覆盖本文件。/ Written by zk-configure.sh; re-running it overwrites this file.
# 改完要重启 / restart after a change:  zkServer.sh restart

# 一个 tick 的毫秒数，下面的 Limit 都以它为单位；会话超时在 2 到 20 个 tick 之间。
# One tick in ms; the limits below count ticks, and session timeouts must be 2..20 ticks.
tickTime=1000
# follower 初次连上 leader 并同步数据可用的 tick 数（10 s）。/ Ticks a follower may take to connect and sync (10 s).
initLimit=10
# follower 落后 leader 最多多少 tick（5 s）。/ Ticks a follower may lag behind the leader (5 s).
syncLimit=5

# 快照与事务日志（version-2/）以及 myid 所在目录。/ Snapshots, transaction logs (version-2/) and myid.
dataDir=$data_dir
# 客户端（Kafka、zkCli.sh）连接的端口。/ The port clients (Kafka, zkCli.sh) connect to.
clientPort=$client_port
# 每个 IP 最多的连接数。/ Connections allowed per client IP.
maxClientCnxns=60
# 事务日志文件预分配 4 MB（默认 64 MB）。/ Preallocate transaction log files in 4 MB steps (default 64 MB).
preAllocSize=4096

# 每小时清理一次旧快照和事务日志，只保留最近 3 份。/ Hourly, delete old snapshots and logs; keep the newest 3.
autopurge.snapRetainCount=3
autopurge.purgeInterval=1

# 四字命令，如 echo srvr | nc localhost 2181。/ Four-letter words, e.g. echo srvr | nc localhost 2181
4lw.commands.whitelist=srvr,ruok,stat,mntr,conf,cons,envi,wchs
# 不启动 AdminServer（需要 Jetty，lib/ 里没有）。/ No AdminServer (it needs Jetty, which lib/ does not have).
admin.enableServer=false
EOF
  if [ "$count" -gt 1 ]; then
    cat <<EOF

# 容器里本机主机名可能解析到别的地址：选举端口监听所有网卡。
# In a container the own host name may resolve elsewhere: listen for peers on all interfaces.
quorumListenOnAllIPs=true

# server.N=主机:数据同步端口:选举端口；N 与该主机 dataDir/myid 里的数字相同。
# server.N=host:peer port:election port; N matches the number in that host's dataDir/myid.
EOF
    for i in "${!entries[@]}"; do
      IFS=':' read -r host peer_port election_port <<< "${entries[$i]}"
      echo "server.$((i + 1))=$host:${peer_port:-2888}:${election_port:-3888}"
    done
  else
    echo
    echo "# 只有一台服务器：单机模式（standalone），不需要 server.N 与 myid。"
    echo "# A single server: standalone mode, no server.N lines or myid needed."
  fi
} > "$cfg.tmp"
mv "$cfg.tmp" "$cfg"

# myid 只在内容变化时改写；已有的数据（version-2/）从不碰。/ myid is rewritten only if it changed; data is never touched.
if [ "$count" -gt 1 ] && [ "$(cat "$data_dir/myid" 2>/dev/null)" != "$myid" ]; then
  echo "$myid" > "$data_dir/myid"
fi

if [ "$count" -gt 1 ]; then
  echo "zk-configure.sh: $cfg written: server.$myid of a $count-server ensemble, client port $client_port, data in $data_dir"
else
  echo "zk-configure.sh: $cfg written: standalone, client port $client_port, data in $data_dir"
fi
