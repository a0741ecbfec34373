#!/bin/bash
# kafka-server-stop.sh: 停止本机上的 Kafka broker。/ Stops the Kafka broker(s) on this machine.
#
# 和上游一样：用 ps 找主类为 kafka.Kafka 的 java 进程，发 SIGTERM；broker 会先正常关闭
# （交出分区 leader、刷盘），几秒后才退出。用 jps 确认它已经没了。
# As upstream: find java processes whose main class is kafka.Kafka with ps and send SIGTERM. The
# broker shuts down cleanly (hands over partition leadership, flushes) and exits a few seconds later;
# check with jps. SIGNAL=KILL kafka-server-stop.sh forces it (loses that clean shutdown).
# 上游 3.9 还有 KRaft 用的 --process-role/--node-id，本课程用 ZooKeeper 模式，没有这两个选项。
# Upstream 3.9 also has --process-role/--node-id for KRaft; this ZooKeeper-mode course leaves them out.

SIGNAL=${SIGNAL:-TERM}
PIDS=$(ps ax | grep ' kafka\.Kafka ' | grep java | grep -v grep | awk '{print $1}')

if [ -z "$PIDS" ]; then
  echo "No kafka server to stop"
  exit 1
fi
echo "Stopping Kafka broker, pid $(echo $PIDS)"
kill -s "$SIGNAL" $PIDS
