#!/bin/bash
# kafka-log-dirs.sh: 查看每个 broker 的数据目录（log.dirs）里各分区占多少磁盘。
#                    Shows how much disk each partition uses in every broker's log.dirs.
#
#   kafka-log-dirs.sh --bootstrap-server bigdata01:9092 --describe
#   kafka-log-dirs.sh --bootstrap-server bigdata01:9092 --describe --broker-list 1 --topic-list orders
#
# 输出的第三行起是 JSON。/ From the third line on the output is JSON.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.LogDirsCommand "$@"
