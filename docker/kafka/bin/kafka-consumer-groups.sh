#!/bin/bash
# kafka-consumer-groups.sh: 列出、查看、重置消费者组（含每个分区的 LAG 积压）。
#                           Lists, describes and resets consumer groups (with each partition's LAG).
#
#   kafka-consumer-groups.sh --bootstrap-server bigdata01:9092 --list
#   kafka-consumer-groups.sh --bootstrap-server bigdata01:9092 --describe --group g1
#   kafka-consumer-groups.sh --bootstrap-server bigdata01:9092 --group g1 --topic orders \
#       --reset-offsets --to-earliest --execute
#
# 与 Kafka 1.1.1 的区别：--zookeeper（旧消费者的组）在 2.0 被删除。
# Since Kafka 1.1.1: --zookeeper (groups of the old consumer) was removed in 2.0.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
