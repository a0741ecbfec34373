#!/bin/bash
# kafka-dump-log.sh: 直接读磁盘上的日志段文件，打印里面的消息批次和索引。
#                    Reads log segment files on disk and prints their batches, records and indexes.
#
#   ls /opt/data/kafka/orders-0/
#   kafka-dump-log.sh --files /opt/data/kafka/orders-0/00000000000000000000.log --print-data-log
#   kafka-dump-log.sh --files /opt/data/kafka/orders-0/00000000000000000000.index
#
# 不需要 broker 在运行。/ Needs no running broker.
# 与 Kafka 1.1.1 的区别：以前写 kafka-run-class.sh kafka.tools.DumpLogSegments，2.0 起有了这个脚本。
# Since Kafka 1.1.1: was kafka-run-class.sh kafka.tools.DumpLogSegments; this script arrived in 2.0.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" kafka.tools.DumpLogSegments "$@"
