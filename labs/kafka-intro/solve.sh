#!/bin/bash
# “Kafka 简介”实验的参考答案。在 bigdata01 上以 root 运行（非登录 shell，先加载环境变量）。
# Solution of the "introducing Kafka" lab. Runs on bigdata01 as root (not a login shell).
set -euo pipefail
source /etc/profile.d/hadoop-etc.sh
BS=bigdata01:9092
ALL=bigdata01:9092,bigdata02:9092,bigdata03:9092
OUT=/root/kafka-intro
mkdir -p $OUT

# 等到 intro-ha 的每个分区都满足条件 / wait until every intro-ha partition passes a test
#   $1 = awk condition on a describe line ($6 leader, $8 replicas, $10 isr)
wait_ha() {
  for _ in $(seq 1 60); do
    if kafka-topics.sh --bootstrap-server $BS --describe --topic intro-ha 2>/dev/null \
        | awk "/Partition:/ { n++; if ($1) ok++ } END { exit !(n == 3 && ok == 3) }"; then
      return 0
    fi
    sleep 1
  done
  echo "intro-ha did not reach: $1" >&2
  kafka-topics.sh --bootstrap-server $BS --describe --topic intro-ha >&2 || true
  return 1
}

# 1. 高吞吐量：两次压测，acks=all 和调优后的设置 / throughput: two runs, acks=all and tuned settings
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic intro-perf --partitions 3 --replication-factor 3
kafka-producer-perf-test.sh --topic intro-perf --num-records 200000 --record-size 100 --throughput -1 \
  --producer-props bootstrap.servers=$ALL acks=all | tee $OUT/perf-acks-all.txt
kafka-producer-perf-test.sh --topic intro-perf --num-records 200000 --record-size 100 --throughput -1 \
  --producer-props bootstrap.servers=$ALL acks=1 linger.ms=20 batch.size=131072 compression.type=lz4 \
  | tee $OUT/perf-tuned.txt
kafka-get-offsets.sh --bootstrap-server $BS --topic intro-perf

# 2. 持久化：写 3 条消息，看分区目录，读日志段 / persistence: 3 messages, the partition folder, the segment
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic intro-disk --partitions 1 --replication-factor 3
printf 'hello\nkafka\nkeeps-everything\n' | kafka-console-producer.sh --bootstrap-server $BS --topic intro-disk
ls -l /opt/data/kafka/intro-disk-0/ | tee $OUT/disk.txt
kafka-dump-log.sh --files /opt/data/kafka/intro-disk-0/00000000000000000000.log --print-data-log | tee -a $OUT/disk.txt

# 3. 分布式：停掉 broker 3，保存 ISR，再启动回来并选回首选 leader
#    distribution: stop broker 3, save the ISR, start it again and elect the preferred leaders
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic intro-ha --partitions 3 --replication-factor 3
wait_ha '$10 ~ /^[0-9]+,[0-9]+,[0-9]+$/'
ssh bigdata03 'source /etc/profile.d/hadoop-etc.sh; kafka-server-stop.sh'
wait_ha '$10 !~ /3/ && $6 != 3'
kafka-topics.sh --bootstrap-server $BS --describe --topic intro-ha | tee $OUT/isr-down.txt
echo "written-while-broker-3-was-down" | kafka-console-producer.sh --bootstrap-server $BS --topic intro-ha
# broker 进程完全退出后再启动 / start again once the old process has exited
for _ in $(seq 1 30); do
  ssh bigdata03 "ps ax | grep ' kafka\.Kafka ' | grep -v grep" >/dev/null || break
  sleep 1
done
ssh bigdata03 'source /etc/profile.d/hadoop-etc.sh; kafka-server-start.sh -daemon $KAFKA_HOME/config/server.properties'
wait_ha '$10 ~ /^[0-9]+,[0-9]+,[0-9]+$/'
# 所有主题都补齐副本后再选 leader / elect once every topic's replicas have caught up
for _ in $(seq 1 60); do
  [ -z "$(kafka-topics.sh --bootstrap-server $BS --describe --under-replicated-partitions 2>/dev/null)" ] && break
  sleep 1
done
kafka-leader-election.sh --bootstrap-server $BS --election-type preferred --all-topic-partitions || true
wait_ha 'split($8, r, ",") && $6 == r[1]'
kafka-topics.sh --bootstrap-server $BS --describe --topic intro-ha

# 4. 离线批处理：消费者组 intro-batch 一口气读完 intro-perf / offline batch: group intro-batch reads intro-perf
kafka-consumer-perf-test.sh --bootstrap-server $BS --topic intro-perf --messages 400000 --group intro-batch
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group intro-batch
