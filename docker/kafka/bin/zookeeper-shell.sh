#!/bin/bash
# zookeeper-shell.sh: ZooKeeper 命令行客户端（Kafka 自带的版本）。/ ZooKeeper command-line client (Kafka's copy).
#
#   zookeeper-shell.sh HOST:PORT[/chroot] [-zk-tls-config-file FILE] [COMMAND ARGS...]
#   例 / e.g.  zookeeper-shell.sh bigdata01:2181 ls /kafka/brokers/ids
#              zookeeper-shell.sh bigdata01:2181 get /kafka/controller
# 不给命令就进入交互模式（没有行编辑与历史）。/ Without a command it is interactive (no line editing).
# 本课程的 zookeeper.connect 带了 chroot /kafka，所以 Kafka 的 znode 都在 /kafka 下。
# This course's zookeeper.connect ends in the chroot /kafka, so Kafka's znodes live under /kafka.

if [ $# -lt 1 ]; then
  echo "USAGE: $0 zookeeper_host:port[/path] [-zk-tls-config-file file] [args...]"
  exit 1
fi
exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" \
  org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka -server "$@"
