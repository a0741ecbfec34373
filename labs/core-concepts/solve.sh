#!/bin/bash
# “Kafka 核心概念”实验的参考答案。在 bigdata01 上以 root 运行（非登录 shell，先加载环境变量）。
# Solution of the "core concepts" lab. Runs on bigdata01 as root (not a login shell).
set -euo pipefail
source /etc/profile.d/hadoop-etc.sh
BS=bigdata01:9092
OUT=/root/core-concepts
mkdir -p $OUT

# 1. Topic：自己的主题，3 个分区、3 个副本 / a topic of your own, 3 partitions, 3 replicas
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic cc-demo --partitions 3 --replication-factor 3
kafka-topics.sh --bootstrap-server $BS --describe --topic cc-demo

# 2. Broker：每台 broker 上都有这个主题的分区副本 / every broker holds replicas of it
for h in bigdata01 bigdata02 bigdata03; do echo "== $h"; ssh $h 'ls /opt/data/kafka | grep cc-demo'; done

# 3. Partition：带 key 的消息（alice→0、dave→1、carol→2），以及只能增加的分区数
#    keyed messages (alice→0, dave→1, carol→2), and a partition count that can only grow
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic cc-orders --partitions 3 --replication-factor 3
printf '%s\n' alice:click-1 dave:click-1 carol:click-1 alice:click-2 dave:click-2 alice:click-3 carol:click-2 \
  | kafka-console-producer.sh --bootstrap-server $BS --topic cc-orders --property parse.key=true --property key.separator=:
kafka-get-offsets.sh --bootstrap-server $BS --topic cc-orders
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic cc-grow --partitions 1 --replication-factor 3
kafka-topics.sh --bootstrap-server $BS --alter --topic cc-grow --partitions 3
kafka-topics.sh --bootstrap-server $BS --alter --topic cc-grow --partitions 2 || true   # 预期失败 / expected to fail

# 4. Message：时间戳、分区、offset、key、value / timestamp, partition, offset, key, value
kafka-console-consumer.sh --bootstrap-server $BS --topic cc-orders --from-beginning --timeout-ms 5000 \
  --property print.timestamp=true --property print.partition=true --property print.offset=true --property print.key=true \
  2>/dev/null | tee $OUT/messages.txt

# 5. Consumer：组 cc-readers 的两个成员（bigdata02、bigdata03）分摊 3 个分区
#    two members of group cc-readers (on bigdata02 and bigdata03) share the 3 partitions
for h in bigdata02 bigdata03; do
  ssh $h "source /etc/profile.d/hadoop-etc.sh; nohup kafka-console-consumer.sh --bootstrap-server $BS --topic cc-orders \
    --group cc-readers --from-beginning --property print.key=true > /tmp/cc-readers.log 2>&1 & echo \$! > /tmp/cc-readers.pid"
done
members() { kafka-consumer-groups.sh --bootstrap-server $BS --describe --group cc-readers --members 2>/dev/null; }
for _ in $(seq 1 60); do
  # 两个成员都分到了分区（第 5 列 #PARTITIONS ≥ 1）/ both members have partitions (5th column ≥ 1)
  [ "$(members | awk '$1 == "cc-readers" && $5 >= 1' | wc -l)" = 2 ] && break
  sleep 1
done
members | tee $OUT/members.txt
printf '%s\n' alice:click-4 dave:click-3 carol:click-3 \
  | kafka-console-producer.sh --bootstrap-server $BS --topic cc-orders --property parse.key=true --property key.separator=:
sleep 3
for h in bigdata02 bigdata03; do ssh $h 'kill $(cat /tmp/cc-readers.pid); rm -f /tmp/cc-readers.pid' || true; done
# 等两个消费者退出（退出时提交 offset）/ wait until both consumers have left (they commit on the way out)
for _ in $(seq 1 30); do
  members | grep -q 'has no active members' && break
  sleep 1
done
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group cc-readers

# 6. ZooKeeper：controller、分区状态、主题配置 / the controller, a partition's state, a topic config
zookeeper-shell.sh bigdata01:2181 get /kafka/controller | tee $OUT/zk.txt
zookeeper-shell.sh bigdata01:2181 get /kafka/brokers/topics/cc-orders/partitions/0/state | tee -a $OUT/zk.txt
kafka-configs.sh --bootstrap-server $BS --alter --entity-type topics --entity-name cc-orders --add-config min.insync.replicas=2
zookeeper-shell.sh bigdata01:2181 get /kafka/config/topics/cc-orders
