#!/bin/bash
# kafka-console-producer.sh: 把键盘（标准输入）上的每一行作为一条消息发送到主题。Ctrl+D 结束。
#                            Sends each line of standard input as one message to a topic. Ctrl+D ends.
#
#   kafka-console-producer.sh --bootstrap-server bigdata01:9092 --topic orders
#   kafka-console-producer.sh --bootstrap-server bigdata01:9092 --topic orders \
#       --property parse.key=true --property key.separator=:      # 输入 key:value / type key:value
#
# 与 Kafka 1.1.1 的区别：以前用 --broker-list，现在用 --bootstrap-server（--broker-list 仍可用但已过时）。
# Since Kafka 1.1.1: --bootstrap-server replaces --broker-list (still accepted, deprecated).
# 内存：上游 -Xmx512M，这里用 kafka-run-class.sh 的工具默认值。/ Memory: upstream -Xmx512M; here the tool default.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" kafka.tools.ConsoleProducer "$@"
