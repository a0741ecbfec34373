#!/bin/bash
# mq-basics 实验的参考答案。在 bigdata01 上以 root 运行（bash -c，没有终端）。
# Solution of the mq-basics lab. Runs on bigdata01 as root (bash -c, no terminal).
#
# 章节里学生在三个终端里手动操作，用 Ctrl+C 停下消费者；这里没有人按 Ctrl+C，
# 所以消费者用 --timeout-ms：多少毫秒内没有新消息就自己退出（退出时同样会提交 offset）。
# In the chapter the student works in three terminals and stops consumers with Ctrl+C. Nobody presses
# Ctrl+C here, so consumers get --timeout-ms: they exit by themselves after that long without a new
# message (and commit their offsets on the way out, just as on Ctrl+C).
set -euo pipefail
source /etc/profile.d/hadoop-etc.sh
BS=bigdata01:9092

# 建主题（已存在就跳过）/ create a topic (skip it when it exists)
create_topic() { # <topic> <partitions>
  kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor 3
}

# 等到消费者组有 N 个成员、并且分完了 P 个分区（再均衡结束）
# Wait until a group has N members holding P partitions between them (the rebalance is over)
wait_group() { # <group> <members> <partitions>
  local out members assigned
  for _ in $(seq 1 40); do
    out=$(kafka-consumer-groups.sh --bootstrap-server $BS --describe --group "$1" --members 2>/dev/null || true)
    members=$(awk -v g="$1" '$1 == g' <<<"$out" | wc -l)
    assigned=$(awk -v g="$1" '$1 == g { n += $NF } END { print n + 0 }' <<<"$out")
    if [ "$members" -eq "$2" ] && [ "$assigned" -eq "$3" ]; then return 0; fi
    sleep 1
  done
  echo "group $1: expected $2 members with $3 partitions, last seen:" >&2
  echo "$out" >&2
  return 1
}

# 在另一台服务器上启动一个控制台消费者（后台），输出写进那台服务器上的文件
# Start a console consumer on another server (in the background), its output into a file there
remote_consumer() { # <host> <output file> <consumer options...>
  local host=$1 file=$2
  shift 2
  ssh -n "$host" "source /etc/profile.d/hadoop-etc.sh && mkdir -p /root/mq-basics && \
    kafka-console-consumer.sh --bootstrap-server $BS $* --timeout-ms 15000 > $file 2>/dev/null" &
}

# 第 1 步：主题 mq-hello，生产 3 条，再从头读出来 / step 1: topic mq-hello, produce 3, read them from the start
create_topic mq-hello 1
printf 'hello\n你好\n消息队列\n' | kafka-console-producer.sh --bootstrap-server $BS --topic mq-hello
kafka-console-consumer.sh --bootstrap-server $BS --topic mq-hello --from-beginning --max-messages 3

# 第 3 步：点对点。两个工人在同一个组 mq-workers 里，分摊 mq-queue 的 3 个分区。
# Step 3: point-to-point. Two workers in one group, mq-workers, share the 3 partitions of mq-queue.
create_topic mq-queue 3
kafka-topics.sh --bootstrap-server $BS --describe --topic mq-queue
remote_consumer bigdata02 /root/mq-basics/worker-1.txt \
  --topic mq-queue --group mq-workers --from-beginning --property print.partition=true --property print.offset=true --property print.key=true
remote_consumer bigdata03 /root/mq-basics/worker-2.txt \
  --topic mq-queue --group mq-workers --from-beginning --property print.partition=true --property print.offset=true --property print.key=true
wait_group mq-workers 2 3
# 带 key 的消息按 key 的哈希分到不同分区：user1..user6 正好每个分区 2 条
# Keyed messages are spread by a hash of the key: user1..user6 put 2 messages in each partition
printf 'user%s:order %s\n' 1 1 2 2 3 3 4 4 5 5 6 6 |
  kafka-console-producer.sh --bootstrap-server $BS --topic mq-queue --property parse.key=true --property key.separator=:
wait # 两个工人 15 秒没有新消息后退出并提交 offset / both workers exit 15 s after the last message, committing offsets
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group mq-workers

# 第 4 步：发布/订阅。两个不同的组 mq-app、mq-web 各自读到每一条新闻。
# Step 4: publish/subscribe. Two different groups, mq-app and mq-web, each read every piece of news.
create_topic mq-news 1
remote_consumer bigdata02 /root/mq-basics/sub-app.txt --topic mq-news --group mq-app --from-beginning
remote_consumer bigdata03 /root/mq-basics/sub-web.txt --topic mq-news --group mq-web --from-beginning
wait_group mq-app 1 1
wait_group mq-web 1 1
printf 'Kafka 3.9 released\nSunny in Beijing today\nRocket launch at 10:00\n' |
  kafka-console-producer.sh --bootstrap-server $BS --topic mq-news
wait
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group mq-app
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group mq-web
