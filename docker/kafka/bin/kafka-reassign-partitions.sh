#!/bin/bash
# kafka-reassign-partitions.sh: 把分区副本搬到别的 broker（扩容、下线机器时用）。
#                               Moves partition replicas between brokers (adding or retiring a server).
#
#   1. 生成方案 / propose a plan:
#      echo '{"version":1,"topics":[{"topic":"orders"}]}' > topics.json
#      kafka-reassign-partitions.sh --bootstrap-server bigdata01:9092 --topics-to-move-json-file topics.json \
#          --broker-list 1,2,3 --generate
#   2. 把建议的方案存成 plan.json，执行 / save the proposal as plan.json and run it:
#      kafka-reassign-partitions.sh --bootstrap-server bigdata01:9092 --reassignment-json-file plan.json --execute
#   3. 查看进度 / check:  ... --reassignment-json-file plan.json --verify
#
# 与 Kafka 1.1.1 的区别：--zookeeper 在 3.0 被删除，用 --bootstrap-server。
# Since Kafka 1.1.1: --zookeeper was removed in 3.0; use --bootstrap-server.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.reassign.ReassignPartitionsCommand "$@"
