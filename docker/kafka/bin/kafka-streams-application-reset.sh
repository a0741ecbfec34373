#!/bin/bash
# kafka-streams-application-reset.sh: 让一个 Kafka Streams 应用从头重新处理它的输入。
#                                     Makes a Kafka Streams application reprocess its input from the start.
#
#   kafka-streams-application-reset.sh --bootstrap-server bigdata01:9092 \
#       --application-id streams-wordcount --input-topics streams-plaintext-input [--dry-run]
#
# 它把应用（消费者组 = application.id）在输入主题上的位移重置到开头，并删除应用自己建的内部主题
# （重分区主题、状态存储的 changelog 主题）。运行前先停掉这个应用的所有实例。
# 本机的状态目录（默认 /tmp/kafka-streams/<application.id>）它不管：应用重新启动前调用
# KafkaStreams#cleanUp()，或者手动删掉。
# It resets the application's offsets (its consumer group is the application.id) on the input
# topics to the beginning and deletes the internal topics the application created (repartition
# and changelog topics). Stop every instance of the application first. Local state
# (/tmp/kafka-streams/<application.id> by default) is not touched: call KafkaStreams#cleanUp()
# before the restart, or delete it by hand.
#
# 例：重新运行上游的 WordCountDemo / e.g. to run upstream's WordCountDemo again:
#   kafka-streams-application-reset.sh --bootstrap-server bigdata01:9092 \
#       --application-id streams-wordcount --input-topics streams-plaintext-input
#   rm -rf /tmp/kafka-streams/streams-wordcount
#
# 内存：上游 -Xmx512M，这里用 kafka-run-class.sh 的工具默认值。/ Memory: upstream -Xmx512M; here the tool default.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.StreamsResetter "$@"
