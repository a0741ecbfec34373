#!/bin/bash
# kafka-broker-api-versions.sh: 列出每个 broker 支持的协议请求（API）及其版本范围。
#                               Lists the protocol requests (APIs) and versions each broker supports.
#
#   kafka-broker-api-versions.sh --bootstrap-server bigdata01:9092
#
# 也是快速检查"集群里有哪些 broker 活着"的办法。/ Also a quick way to see which brokers are up.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" kafka.admin.BrokerApiVersionsCommand "$@"
