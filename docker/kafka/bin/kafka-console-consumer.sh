#!/bin/bash
# kafka-console-consumer.sh: 从主题读消息并打印出来。Ctrl+C 结束。/ Reads messages from a topic and prints them.
#
#   kafka-console-consumer.sh --bootstrap-server bigdata01:9092 --topic orders --from-beginning
#   kafka-console-consumer.sh --bootstrap-server bigdata01:9092 --topic orders --group g1 \
#       --property print.key=true --max-messages 10
#
# 不加 --from-beginning 只读启动之后新来的消息。/ Without --from-beginning it reads only new messages.
# 与 Kafka 1.1.1 的区别：旧消费者的 --zookeeper 在 2.0 被删除，只能用 --bootstrap-server。
# Since Kafka 1.1.1: the old consumer and its --zookeeper option were removed in 2.0.
# 3.9 里主类从 kafka.tools.ConsoleConsumer 搬到了 org.apache.kafka.tools.consumer.ConsoleConsumer。
# In 3.9 the class moved from kafka.tools.ConsoleConsumer to org.apache.kafka.tools.consumer.ConsoleConsumer.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
