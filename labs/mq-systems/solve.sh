#!/bin/bash
# “常见的消息系统”实验的参考答案。在 bigdata01 上以 root 运行（非登录 shell，先加载环境变量）。
# Solution of the "common messaging systems" lab. Runs on bigdata01 as root (not a login shell).
set -euo pipefail
source /etc/profile.d/hadoop-etc.sh
BS=bigdata01:9092

# 1. 主题 sys-events：1 个分区、3 个副本，写入 5 条订单消息
#    topic sys-events: 1 partition, 3 replicas, 5 order messages
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic sys-events --partitions 1 --replication-factor 3
printf 'order-%s\n' 1 2 3 4 5 | kafka-console-producer.sh --bootstrap-server $BS --topic sys-events

# 2. 计费系统（组 sys-billing）读完；同一个组再读一次什么也读不到
#    billing (group sys-billing) reads everything; the same group reads nothing the second time
#    （--timeout-ms 结束时打印的 TimeoutException 是正常的 / the TimeoutException at the end is expected）
kafka-console-consumer.sh --bootstrap-server $BS --topic sys-events --group sys-billing --from-beginning --timeout-ms 5000 2>/dev/null
kafka-console-consumer.sh --bootstrap-server $BS --topic sys-events --group sys-billing --from-beginning --timeout-ms 3000 2>/dev/null

# 3. 数据分析系统（新组 sys-analytics）从头再读一遍，5 条都在
#    analytics (a new group, sys-analytics) reads all 5 again from the beginning
kafka-console-consumer.sh --bootstrap-server $BS --topic sys-events --group sys-analytics --from-beginning --timeout-ms 5000 2>/dev/null
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group sys-billing
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group sys-analytics

# 4. 保留 2 天：到期才删，而不是读了就删 / keep for 2 days: deleted when expired, not when read
kafka-configs.sh --bootstrap-server $BS --alter --entity-type topics --entity-name sys-events --add-config retention.ms=172800000
kafka-get-offsets.sh --bootstrap-server $BS --topic sys-events --time -2
