#!/bin/bash
# kafka-features.sh: 查看和升级集群的"特性版本"，其中最重要的是 metadata.version。
#                    Describes and upgrades the cluster's feature levels, metadata.version above all.
#
#   kafka-features.sh --bootstrap-server bigdata01:9092 describe
#   kafka-features.sh --bootstrap-controller bigdata01:9093 describe
#   kafka-features.sh --bootstrap-server bigdata01:9092 upgrade --metadata 3.9-IV0 --dry-run   # 只检查不执行 / check only
#
# metadata.version 是 KRaft 版的 inter.broker.protocol.version：集群里所有节点都会说的那一版
# 协议与元数据格式。滚动升级完所有节点的软件以后，再用 upgrade 把它调高；迁移期间不要改它。
# metadata.version is KRaft's inter.broker.protocol.version: the protocol and metadata format every
# node of the cluster speaks. Raise it with upgrade after every node runs the new software; never
# change it during a migration from ZooKeeper.
#
# 与 Kafka 1.1.1 的区别：那时只有 inter.broker.protocol.version（改了要滚动重启）；这个脚本 3.0 加入。
# Since Kafka 1.1.1: there was only inter.broker.protocol.version (a rolling restart per change);
# this script arrived in 3.0.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.FeatureCommand "$@"
