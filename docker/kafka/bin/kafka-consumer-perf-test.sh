#!/bin/bash
# kafka-consumer-perf-test.sh: 消费者压测：读 N 条消息并报告吞吐量。/ Consumer benchmark: reads N messages.
#
#   kafka-consumer-perf-test.sh --bootstrap-server bigdata01:9092 --topic perf --messages 10000
#
# 与 Kafka 1.1.1 的区别：--zookeeper / --broker-list 被 --bootstrap-server 取代。
# Since Kafka 1.1.1: --bootstrap-server replaces --zookeeper and --broker-list.
# 内存：上游 -Xmx512M；这里 -Xmx256m。/ Memory: upstream -Xmx512M; here -Xmx256m.

export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms32m -Xmx256m"}

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.ConsumerPerformance "$@"
