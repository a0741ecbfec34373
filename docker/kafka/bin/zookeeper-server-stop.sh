#!/bin/bash
# zookeeper-server-stop.sh: 停止本机上的 ZooKeeper 服务器。/ Stops the ZooKeeper server(s) on this machine.
#
# 和上游一样，它找的是所有主类为 QuorumPeerMain 的 java 进程：这也包括预装的
# /opt/zookeeper（Kafka 依赖它！）。只想停预装的那个，用 zkServer.sh stop。
# As upstream it signals every java process whose main class is QuorumPeerMain: that includes the
# pre-installed /opt/zookeeper that Kafka depends on. To stop only that one, use zkServer.sh stop.

SIGNAL=${SIGNAL:-TERM}
PIDS=$(ps ax | grep java | grep -i QuorumPeerMain | grep -v grep | awk '{print $1}')

if [ -z "$PIDS" ]; then
  echo "No zookeeper server to stop"
  exit 1
fi
echo "Stopping ZooKeeper, pid $(echo $PIDS)"
kill -s "$SIGNAL" $PIDS
