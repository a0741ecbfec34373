#!/bin/bash
# kafka-get-offsets.sh: 查询每个分区的偏移量（默认是最新的，即已写入多少条）。
#                       Prints partition offsets (latest by default: how many records were written).
#
#   kafka-get-offsets.sh --bootstrap-server bigdata01:9092 --topic orders              # topic:partition:offset
#   kafka-get-offsets.sh --bootstrap-server bigdata01:9092 --topic orders --time -2    # earliest
#
# 与 Kafka 1.1.1 的区别：以前是 kafka-run-class.sh kafka.tools.GetOffsetShell --broker-list ...；
# 3.0 起有了这个脚本，用 --bootstrap-server。
# Since Kafka 1.1.1: was kafka-run-class.sh kafka.tools.GetOffsetShell --broker-list ...; this script
# and --bootstrap-server arrived in 3.0.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.GetOffsetShell "$@"
