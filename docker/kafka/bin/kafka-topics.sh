#!/bin/bash
# kafka-topics.sh: 创建、列出、查看、修改、删除主题。/ Create, list, describe, alter and delete topics.
#
#   kafka-topics.sh --bootstrap-server bigdata01:9092 --create --topic orders --partitions 3 --replication-factor 3
#   kafka-topics.sh --bootstrap-server bigdata01:9092 --list
#   kafka-topics.sh --bootstrap-server bigdata01:9092 --describe --topic orders
#   kafka-topics.sh --version
#
# 与 Kafka 1.1.1 的区别：以前写 --zookeeper bigdata01:2181/kafka，直接改 ZooKeeper 里的数据；
# 从 2.2 起用 --bootstrap-server 连 broker，3.0 起 --zookeeper 被删除了。
# Since Kafka 1.1.1: --zookeeper bigdata01:2181/kafka wrote straight into ZooKeeper; since 2.2 the
# tool talks to a broker with --bootstrap-server, and 3.0 removed --zookeeper.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
