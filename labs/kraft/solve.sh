#!/bin/bash
# “从 ZooKeeper 到 KRaft”实验的参考答案。在 bigdata01 上以 root 运行（非登录 shell，先加载环境变量）。
# Solution of the "From ZooKeeper to KRaft" lab. Runs on bigdata01 as root (not a login shell).
#
# 按上游 3.9 文档“ZooKeeper to KRaft Migration”的顺序：建控制器仲裁组 → broker 进入迁移模式（元数据
# 自动迁移）→ broker 切换到 KRaft → 最终完成（控制器退出迁移模式）→ 停掉 ZooKeeper。全程有一个生产者
# 在写 kraft-live。每一步都等到集群真的到了那个状态（有期限），不用固定的 sleep。
# Follows upstream 3.9's "ZooKeeper to KRaft Migration": controller quorum -> brokers in migration
# mode (the metadata migrates by itself) -> brokers in KRaft mode -> finalize (controllers leave
# migration mode) -> stop ZooKeeper, with a producer writing to kraft-live all along. Every step
# waits, with a deadline, until the cluster has really got there; no fixed sleeps.
set -euo pipefail
source /etc/profile.d/hadoop-etc.sh

VOTERS=3001@bigdata01:9093,3002@bigdata02:9093,3003@bigdata03:9093
CONTROLLERS=bigdata01:9093,bigdata02:9093,bigdata03:9093
BS=bigdata01:9092,bigdata02:9092,bigdata03:9092
META=/opt/data/kraft-controller/__cluster_metadata-0/00000000000000000000.log
mkdir -p /root/kraft

# wait_for 秒数 说明 命令...：每半秒试一次命令，直到成功；超时就带着说明失败。
# wait_for SECONDS WHAT COMMAND...: tries COMMAND every half second until it succeeds, or fails saying WHAT.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" > /dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "timed out after ${seconds}s waiting for: $what" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "ok: $what"
}

# 在某台服务器的 $KAFKA_HOME 里运行一行命令。/ Runs a command line in $KAFKA_HOME on a server.
on() {
  local host=$1
  shift
  ssh -n "$host" "source /etc/profile.d/hadoop-etc.sh; cd \$KAFKA_HOME && $*"
}

# 三个 broker 都在、每个分区的副本都同步（ISR 齐全）：滚动重启时，等到这一步才动下一台。
# All three brokers up and every partition fully in sync: in a rolling restart, the next server
# waits for this.
cluster_in_sync() {
  kafkalab-agent snapshot --timeout 5000 | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const snap = JSON.parse(s);
      const up = snap.brokers.filter((b) => b.up).map((b) => b.id).sort().join();
      const behind = snap.topics.flatMap((t) => t.partitions)
        .filter((p) => p.leader < 0 || p.replicas.some((r) => !p.isr.includes(r)));
      process.exit(up === "1,2,3" && behind.length === 0 ? 0 : 1);
    });'
}

# 三个控制器都在仲裁组里，并且都在 since（毫秒）之后跟上了 leader。
# The three controllers are in the quorum and all caught up with the leader after `since` (ms).
quorum_caught_up() {
  kafka-metadata-quorum.sh --bootstrap-controller $CONTROLLERS describe --replication 2> /dev/null |
    awk -v since="$1" '$1 ~ /^300[123]$/ && $7 ~ /^(Leader|Follower)$/ && $6 >= since { n++ } END { exit n == 3 ? 0 : 1 }'
}

# 控制器元数据日志里最后一条迁移状态（1 MIGRATION、2 PRE_MIGRATION、3 POST_MIGRATION）。
# The last migration state in the controller's metadata log (1 MIGRATION, 2 PRE_MIGRATION, 3 POST_MIGRATION).
migration_state_is() {
  kafka-dump-log.sh --cluster-metadata-decoder --files $META 2> /dev/null |
    sed -n 's/.*"zkMigrationState":\([0-9]\).*/\1/p' | tail -n 1 | grep -qx "$1"
}

# 重启一台服务器上的 broker，等它退出、再启动、再等集群重新同步。
# Restarts a server's broker: waits for it to exit, starts it, waits until the cluster is in sync.
restart_broker() {
  local host=$1 started
  on "$host" kafka-server-stop.sh --process-role=broker
  wait_for 60 "the broker on $host has stopped" ssh -n "$host" "! ps -C java -o args= | grep -q 'kafka\.Kafka .*server\.properties'"
  started=$(date '+%Y-%m-%d %H:%M:%S')
  on "$host" kafka-server-start.sh -daemon config/server.properties
  # 这一次启动自己的 "started" 一行（之前的几次也在同一个日志里）。/ This start's own "started" line.
  wait_for 90 "the broker on $host has started" ssh -n "$host" \
    "awk -v t='[$started' '\$0 >= t && /started \\(kafka\\.server\\.Kafka(Raft)?Server\\)/ { f = 1 } END { exit !f }' /opt/apps/kafka/logs/server.log"
  wait_for 120 "every partition is in sync again after $host" cluster_in_sync
}

# 重启一台服务器上的控制器，等它重新跟上仲裁组。/ Restarts a server's controller until it has caught up again.
restart_controller() {
  local host=$1 since
  on "$host" kafka-server-stop.sh --process-role=controller
  wait_for 60 "the controller on $host has stopped" ssh -n "$host" "! ps -C java -o args= | grep -q 'kafka\.Kafka .*controller\.properties'"
  since=$(date +%s%3N)
  on "$host" "KAFKA_HEAP_OPTS='-Xms32m -Xmx128m' LOG_DIR=\$KAFKA_HOME/controller-logs kafka-server-start.sh -daemon config/kraft/controller.properties"
  wait_for 90 "the controller on $host has caught up with the quorum" quorum_caught_up "$since"
}

# 0. 集群 id：ZooKeeper 里的 /kafka/cluster/id（也在每个 broker 的 meta.properties 里）
#    The cluster id: ZooKeeper's /kafka/cluster/id (also in every broker's meta.properties)
CLUSTER_ID=$(zookeeper-shell.sh bigdata01:2181 get /kafka/cluster/id 2> /dev/null | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
echo "cluster id: $CLUSTER_ID"
[ -n "$CLUSTER_ID" ]

# 1. 三台各一个控制器：node.id 3001..3003，端口 9093，迁移模式；用现有集群的 id 格式化，小堆启动
#    A controller on each server: node.id 3001..3003, port 9093, migration mode; formatted with the
#    existing cluster's id and started with a small heap
since=$(date +%s%3N)
for n in 1 2 3; do
  on bigdata0$n "sed -i \
    -e 's/^node\.id=.*/node.id=300$n/' \
    -e 's/^controller\.quorum\.voters=.*/controller.quorum.voters=$VOTERS/' \
    -e 's#^log\.dirs=.*#log.dirs=/opt/data/kraft-controller#' \
    -e 's/^#\(zookeeper\.metadata\.migration\.enable=\)/\1/' \
    -e 's/^#\(zookeeper\.connect=\)/\1/' \
    -e 's/^#\(inter\.broker\.listener\.name=\)/\1/' \
    config/kraft/controller.properties"
  # --cluster-id=…, not -t …: an id may start with "-" and would then be read as an option.
  on bigdata0$n kafka-storage.sh format --ignore-formatted --cluster-id="$CLUSTER_ID" -c config/kraft/controller.properties
  on bigdata0$n "ps -C java -o args= | grep -q 'kafka\.Kafka .*controller\.properties' || \
    KAFKA_HEAP_OPTS='-Xms32m -Xmx128m' LOG_DIR=\$KAFKA_HOME/controller-logs \
    kafka-server-start.sh -daemon config/kraft/controller.properties"
done
wait_for 90 "three controllers in the quorum, with a leader" quorum_caught_up "$since"
kafka-metadata-quorum.sh --bootstrap-controller $CONTROLLERS describe --status

# 2. 一个一直在写的生产者：每 0.1 秒写一个递增的数，迁移的全过程都不停
#    A producer that keeps writing: a growing number every 0.1 s, all through the migration
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic kraft-live --partitions 3 --replication-factor 3
cat > /root/kraft/writer.sh << 'WRITER'
#!/bin/bash
# 每 0.1 秒输出一个递增的数，直到出现 /root/kraft/stop。/ A growing number every 0.1 s until /root/kraft/stop exists.
i=0
while [ ! -e /root/kraft/stop ]; do
  i=$((i + 1))
  echo "$i"
  sleep 0.1
done
WRITER
chmod +x /root/kraft/writer.sh
rm -f /root/kraft/stop
nohup bash -c "/root/kraft/writer.sh | kafka-console-producer.sh --bootstrap-server $BS --topic kraft-live \
  --producer-property retries=2147483647 --producer-property request.timeout.ms=30000" > /root/kraft/producer.log 2>&1 &
records() { kafkalab-agent topic kraft-live | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.exit(JSON.parse(s).records>=30?0:1))'; }
wait_for 60 "the producer is writing to kraft-live" records

# 3. broker 进入迁移模式：加上迁移开关、控制器地址、IBP 3.9，逐台重启；最后一台重启后元数据自动迁移
#    Brokers into migration mode: the migration flag, the controllers, IBP 3.9, one restart at a
#    time; after the last one the metadata migrates by itself
for n in 3 2 1; do
  on bigdata0$n "sed -i -e '/^# ZooKeeper -> KRaft migration/d' -e '/^inter\.broker\.protocol\.version=/d' \
    -e '/^zookeeper\.metadata\.migration\.enable=/d' -e '/^controller\.quorum\.voters=/d' \
    -e '/^controller\.listener\.names=/d' -e '/^listener\.security\.protocol\.map=/d' config/server.properties && \
    printf '%s\n' '# ZooKeeper -> KRaft migration' inter.broker.protocol.version=3.9 \
      zookeeper.metadata.migration.enable=true controller.quorum.voters=$VOTERS \
      controller.listener.names=CONTROLLER listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT \
      >> config/server.properties"
  restart_broker bigdata0$n
done
wait_for 120 "the metadata has migrated (MIGRATION in the metadata log)" migration_state_is 1
for n in 1 2 3; do
  ssh -n bigdata0$n 'grep -h "Completed migration of metadata from ZooKeeper to KRaft" /opt/apps/kafka/controller-logs/server.log* 2> /dev/null | cut -c1-140' || true
done

# 4. broker 切换到 KRaft：broker.id 改名 node.id，加 process.roles=broker，去掉 zookeeper.* 和 IBP，逐台重启
#    Brokers into KRaft mode: broker.id becomes node.id, process.roles=broker, no zookeeper.* and no
#    IBP, one restart at a time
for n in 3 2 1; do
  on bigdata0$n "sed -i -e 's/^broker\.id=/node.id=/' -e '/^zookeeper\./d' -e '/^inter\.broker\.protocol\.version=/d' \
    -e '/^process\.roles=/d' config/server.properties && echo process.roles=broker >> config/server.properties"
  restart_broker bigdata0$n
done
kafka-metadata-quorum.sh --bootstrap-server $BS describe --replication

# 5. 最终完成：控制器去掉 zookeeper.*（迁移开关和 ZooKeeper 地址），逐台重启
#    Finalize: the controllers lose zookeeper.* (the migration flag and ZooKeeper's address), one
#    restart at a time
for n in 1 2 3; do
  on bigdata0$n "sed -i '/^zookeeper\./d' config/kraft/controller.properties"
  restart_controller bigdata0$n
done
wait_for 60 "the migration is finalized (POST_MIGRATION in the metadata log)" migration_state_is 3

# 6. 停掉 ZooKeeper / Retire ZooKeeper
for n in 1 2 3; do
  ssh -n bigdata0$n /opt/zookeeper/bin/zkServer.sh stop
done
for n in 1 2 3; do
  wait_for 30 "ZooKeeper is gone from bigdata0$n" ssh -n bigdata0$n '! ps -C java -o args= | grep -q QuorumPeerMain && ! nc -z -w 1 localhost 2181'
done

# 7. 停掉生产者（让它把手上的消息发完），再确认一条都没丢
#    Stop the producer (it sends what it holds first), then make sure nothing was lost
touch /root/kraft/stop
wait_for 60 "the producer has finished" bash -c '! ps -C java -o args= | grep -q ConsoleProducer'
kafkalab-agent messages --topic kraft-live --max 100000 | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const values = new Set(JSON.parse(s).messages.map((m) => Number(m.value)));
    const max = Math.max(...values);
    const missing = [];
    for (let i = 1; i <= max; i++) if (!values.has(i)) missing.push(i);
    console.log(`kraft-live: 1..${max}, missing ${missing.length}`);
    process.exit(missing.length === 0 ? 0 : 1);
  });'

# 8. 没有 ZooKeeper 的集群照样能建主题 / A cluster without ZooKeeper still creates topics
kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic kraft-after --partitions 3 --replication-factor 3
kafka-topics.sh --bootstrap-server $BS --describe --topic kraft-after
