#!/bin/bash
# kafka-producer-perf-test.sh: 生产者压测：发送 N 条消息并报告吞吐量与延迟。
#                              Producer benchmark: sends N records and reports throughput and latency.
#
#   kafka-producer-perf-test.sh --topic perf --num-records 10000 --record-size 100 --throughput -1 \
#       --producer-props bootstrap.servers=bigdata01:9092 acks=all
#
# 内存：上游 -Xmx512M；这里 -Xmx256m（生产者缓冲 buffer.memory 默认 32 MB）。
# Memory: upstream -Xmx512M; here -Xmx256m (the producer's buffer.memory defaults to 32 MB).
# 这个集群为省内存只开了 C1 编译器，数字比生产环境低；比较设置之间的差别才有意义。
# This cluster runs the C1 JIT only to save memory, so absolute numbers are low; compare settings.

export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:-"-Xms32m -Xmx256m"}

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.ProducerPerformance "$@"
