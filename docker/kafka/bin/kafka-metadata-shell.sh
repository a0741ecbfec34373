#!/bin/bash
# kafka-metadata-shell.sh: 像浏览文件系统一样浏览 KRaft 的元数据日志（__cluster_metadata），只读。
#                          Browses KRaft's metadata log (__cluster_metadata) like a file system, read-only.
#
#   kafka-metadata-shell.sh --snapshot <日志或快照文件 / a log segment or snapshot file>
#   >> ls /image                                   # topics  cluster  features  configs ...
#   >> ls /image/topics/byName
#   >> cat /image/topics/byName/orders/0           # 分区 0：副本、ISR、leader / partition 0
#   >> cat /image/features/zkMigrationState        # 从 ZooKeeper 迁移到哪一步了 / how far a migration got
#   >> exit
#   kafka-metadata-shell.sh --snapshot <文件 / file> ls /image/topics/byName < /dev/null   # 不进交互模式 / one command
#
# 读的是磁盘上的文件，不连任何服务器。它相当于 KRaft 版的 zookeeper-shell.sh：ZooKeeper 模式下的
# /kafka/brokers/topics/orders 在这里是 /image/topics/byName/orders。
# It reads files on disk and connects to no server: KRaft's counterpart of zookeeper-shell.sh, where
# ZooKeeper's /kafka/brokers/topics/orders becomes /image/topics/byName/orders.
#
# 正在运行的控制器或 broker 锁着自己的目录，直接读会报 "Unable to lock"：先复制一份再读。
# A running controller or broker locks its directory, so reading in place fails with "Unable to
# lock": read a copy.
#   cp -r /opt/data/kraft-controller/__cluster_metadata-0 /tmp/
#   kafka-metadata-shell.sh --snapshot /tmp/__cluster_metadata-0/00000000000000000000.log
#
# 与 Kafka 1.1.1 的区别：那时还没有 KRaft，也就没有这个脚本（2.8 加入）。
# Since Kafka 1.1.1: there was no KRaft then, nor this script (added in 2.8).

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.shell.MetadataShell "$@"
