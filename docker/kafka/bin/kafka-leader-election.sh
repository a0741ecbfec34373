#!/bin/bash
# kafka-leader-election.sh: 让分区重新选 leader（通常选回"首选副本"，即副本列表里的第一个）。
#                           Re-elects partition leaders (usually back to the preferred, first replica).
#
#   kafka-leader-election.sh --bootstrap-server bigdata01:9092 --election-type preferred --all-topic-partitions
#   kafka-leader-election.sh --bootstrap-server bigdata01:9092 --election-type preferred --topic orders --partition 0
#
# 与 Kafka 1.1.1 的区别：它取代了 kafka-preferred-replica-election.sh（3.0 删除）。
# Since Kafka 1.1.1: replaces kafka-preferred-replica-election.sh (removed in 3.0).

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.LeaderElectionCommand "$@"
