#!/bin/bash
# kafka-configs.sh: 查看和动态修改主题、broker、客户端的配置（不用重启）。
#                   Describes and changes topic, broker and client configs at run time (no restart).
#
#   kafka-configs.sh --bootstrap-server bigdata01:9092 --entity-type topics --entity-name orders --describe
#   kafka-configs.sh --bootstrap-server bigdata01:9092 --entity-type topics --entity-name orders \
#       --alter --add-config retention.ms=3600000
#   kafka-configs.sh --bootstrap-server bigdata01:9092 --entity-type brokers --entity-name 1 --describe --all
#
# 与 Kafka 1.1.1 的区别：以前用 --zookeeper；现在用 --bootstrap-server（--zookeeper 已过时，
# 只剩为还没启动的 broker 设置 SCRAM 用户等少数用途）。
# Since Kafka 1.1.1: use --bootstrap-server instead of --zookeeper (deprecated; left only for a few
# cases such as SCRAM users before the brokers start).

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
