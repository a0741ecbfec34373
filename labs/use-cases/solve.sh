#!/bin/bash
# use-cases 实验的参考答案。在 bigdata01 上以 root 运行（bash -c，没有终端）。
# Solution of the use-cases lab. Runs on bigdata01 as root (bash -c, no terminal).
#
# 脚本文件和章节里的一字不差；学生在三个终端里手动做的事，这里用 ssh 和后台进程完成。
# 没有人按 Ctrl+C，所以控制台消费者都带 --timeout-ms，kafkajs 脚本都会自己退出。
# The scripts are exactly the chapter's. What the student does by hand in three terminals is done
# here with ssh and background processes. Nobody presses Ctrl+C, so console consumers get
# --timeout-ms, and the kafkajs scripts exit by themselves.
set -euo pipefail
source /etc/profile.d/hadoop-etc.sh
BS=bigdata01:9092
mkdir -p /root/uc
cd /root/uc

create_topic() { # <topic> <partitions>
  kafka-topics.sh --bootstrap-server $BS --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor 3
}
partitions_of() { # <topic>: 分区数 / its number of partitions
  kafka-topics.sh --bootstrap-server $BS --describe --topic "$1" | grep -c 'Partition: '
}

# 等到消费者组稳定：正好 N 个成员，每个成员分到 P 个分区。组在再均衡时，describe 不返回分配结果
# （#PARTITIONS 为 0），所以这也说明再均衡结束了。
# Wait until a group is stable: exactly N members, each holding P partitions. While a group
# rebalances, describe returns no assignments (#PARTITIONS 0), so this also says the rebalance is over.
wait_group() { # <group> <members> <partitions each>
  local out
  for _ in $(seq 1 40); do
    out=$(kafka-consumer-groups.sh --bootstrap-server $BS --describe --group "$1" --members 2>/dev/null || true)
    if awk -v g="$1" -v n="$2" -v p="$3" '$1 == g { m++; if ($NF != p) bad = 1 } END { exit !(m == n && !bad) }' <<<"$out"; then
      return 0
    fi
    sleep 1
  done
  echo "group $1: expected $2 members with $3 partitions each, last seen:" >&2
  echo "$out" >&2
  return 1
}

# 第 0 步：订单主题 / step 0: the orders topic
create_topic uc-orders 3

# 第 1 步：解耦。下单服务只管写 uc-orders；库存、邮件、积分服务各是一个消费者组。
# Step 1: decoupling. The order service only writes to uc-orders; stock, email and points are
# consumer groups of their own.
cat > /root/uc/order-service.js <<'JS'
// order-service.js：下单服务。它只知道 Kafka 的地址和主题名 uc-orders，不知道谁会处理订单。
// The order service. It knows Kafka's address and the topic uc-orders, and nothing about who handles orders.
const { Kafka, Partitioners, logLevel } = require('kafkajs');

const kafka = new Kafka({
  clientId: 'order-service',
  brokers: ['bigdata01:9092', 'bigdata02:9092', 'bigdata03:9092'],
  logLevel: logLevel.WARN,
});
// 与 Java 客户端相同的分区算法：同一个 key（用户）的订单总进同一个分区，保持先后顺序
// The Java client's partitioner: one key (user) always goes to one partition, so its orders stay in order
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

async function main() {
  await producer.connect();
  const users = ['alice', 'dave', 'carol'];
  for (let id = 1; id <= 6; id++) {
    const order = { orderId: id, user: users[id % 3], amount: id * 10 };
    await producer.send({
      topic: 'uc-orders',
      messages: [{ key: order.user, value: JSON.stringify(order) }],
    });
    console.log('order placed:', JSON.stringify(order));
  }
  await producer.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
JS
node order-service.js
ssh -n bigdata02 "source /etc/profile.d/hadoop-etc.sh && kafka-console-consumer.sh --bootstrap-server $BS \
  --topic uc-orders --group uc-stock --from-beginning --timeout-ms 5000 2>/dev/null" &
ssh -n bigdata03 "source /etc/profile.d/hadoop-etc.sh && kafka-console-consumer.sh --bootstrap-server $BS \
  --topic uc-orders --group uc-email --from-beginning --timeout-ms 5000 2>/dev/null" &
# 积分服务后上线，下单服务不用改 / the points service comes later; the order service does not change
kafka-console-consumer.sh --bootstrap-server $BS --topic uc-orders --group uc-points --from-beginning --timeout-ms 5000 2>/dev/null
wait

# 第 2 步：冗余。生产者早已退出，消息仍在三台服务器的磁盘上，可以从头重放。
# Step 2: redundancy. The producer is long gone; the messages are on disk on all three servers and
# can be replayed from the start.
kafka-topics.sh --bootstrap-server $BS --describe --topic uc-orders
ls /opt/data/kafka | grep uc-orders
ssh -n bigdata02 ls /opt/data/kafka | grep uc-orders
kafka-console-consumer.sh --bootstrap-server $BS --topic uc-orders --from-beginning --timeout-ms 5000 2>/dev/null |
  tee /root/uc/replay.txt

# 第 3 步：峰值处理。1 个分区，一个每秒处理约 100 条的入库服务；bigdata02 上发 2000 条的洪峰。
# Step 3: peak shaving. 1 partition, one storing service at about 100 a second; a 2000-click burst
# from bigdata02.
create_topic uc-clicks 1
cat > /root/uc/click-worker.js <<'JS'
// click-worker.js：点击入库服务（模拟）。数据库每秒只能写约 100 条，所以它就按这个速度处理。
// The click-storing service (simulated). The database takes about 100 writes a second, so that is its pace.
// 用法 / usage: node click-worker.js [名字 / name]
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

const name = process.argv[2] || `worker-${process.pid}`;
const GROUP = 'uc-click-db';
const TOPIC = 'uc-clicks';
const RATE = 100; // 每秒最多处理的条数 / at most this many messages a second
const IDLE_MS = 8000; // 空闲 8 秒、并且整个组没有积压，才退出 / exit after 8 s idle, once the whole group has no backlog

const kafka = new Kafka({
  clientId: name,
  brokers: ['bigdata01:9092', 'bigdata02:9092', 'bigdata03:9092'],
  logLevel: logLevel.NOTHING, // 不打印 kafkajs 自己的日志（它把正常的再均衡也记成 ERROR）/ no kafkajs logs (it logs normal rebalances as ERRORs)
});
// 所有 worker 用同一个组：它们分摊 uc-clicks 的分区 / every worker uses one group: they share uc-clicks' partitions
const consumer = kafka.consumer({ groupId: GROUP });
const admin = kafka.admin(); // 用来查整个组的积压 / to look up the whole group's lag
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const partitions = new Set(); // 处理过哪些分区的消息 / the partitions this worker handled messages from
let count = 0;
let last = 0; // 上一条消息处理完的时间 / when the last message was handled

// 组在 uc-clicks 上的积压：每个分区的末尾 offset 减去组提交的 offset，再加起来（kafka-consumer-groups.sh 的 LAG 一列之和）
// The group's lag on uc-clicks: each partition's end offset minus the group's committed offset, summed (the LAG column of kafka-consumer-groups.sh)
async function groupLag() {
  const ends = await admin.fetchTopicOffsets(TOPIC); // [{ partition, high, low }]
  const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }); // { partitions: [{ partition, offset }] }
  let lag = 0;
  for (const { partition, high, low } of ends) {
    const offset = Number(committed.partitions.find((p) => p.partition === partition).offset);
    // -1：这个分区还没提交过，积压从最早的一条算起 / -1: nothing committed yet, the backlog starts at the earliest message
    lag += Number(high) - (offset >= 0 ? offset : Number(low));
  }
  return lag;
}

async function stop() {
  await consumer.disconnect(); // 离开消费者组 / leave the group
  await admin.disconnect();
  const line = `${name} partitions=[${[...partitions].sort()}] messages=${count}`;
  console.log(line);
  fs.appendFileSync('/root/uc/workers.txt', line + '\n');
  process.exit(0);
}

async function main() {
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const mine = Object.values(e.payload.memberAssignment).flat();
    console.log(`${name} joined the group, partitions: ${mine.join(', ') || 'none'}`);
  });
  await admin.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    // 每处理完一条就提交 offset：积压（lag）随时看得清，退出时也不会留下没提交的进度
    // commit after every message: the lag is always accurate, and nothing is left uncommitted on exit
    autoCommitThreshold: 1,
    eachMessage: async ({ partition }) => {
      await sleep(1000 / RATE); // 假装写数据库 / pretend to write to the database
      partitions.add(partition);
      count++;
      last = Date.now();
      if (count % 500 === 0) console.log(`${name}: ${count} clicks stored`);
    },
  });
  // 什么时候退出？还没处理过消息就一直等。处理过以后，要自己空闲了 8 秒，并且整个组的积压为 0。
  // 只看自己空闲不够：一个 worker 离开，组就再均衡，把所有分区在留下的 worker 之间重新分，
  // 别的 worker 还没处理完的分区可能换了主人，新主人就处理了两个分区的消息。
  // When to exit? Before the first message, wait as long as it takes. After it: once this worker has
  // been idle for 8 s and the whole group's lag is 0. Being idle is not enough: when a worker leaves,
  // the group rebalances and deals all partitions out again among those that stay, so a partition
  // another worker has not finished may change hands, and its new owner handles two partitions.
  for (;;) {
    await sleep(1000);
    if (count > 0 && Date.now() - last >= IDLE_MS && (await groupLag()) === 0) return stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
JS
nohup node click-worker.js > /tmp/uc-click-worker.log 2>&1 &
worker=$!
wait_group uc-click-db 1 "$(partitions_of uc-clicks)" # 一个成员拿到全部分区 / one member holds every partition
ssh -n bigdata02 "source /etc/profile.d/hadoop-etc.sh && mkdir -p /root/uc && \
  kafka-producer-perf-test.sh --topic uc-clicks --num-records 2000 --record-size 100 --throughput -1 \
    --producer-props bootstrap.servers=$BS"
# 马上把积压记下来（服务要先提交过一次 offset，LAG 才是数字）
# Record the backlog right away (LAG is a number once the service has committed an offset)
for _ in $(seq 1 10); do
  ssh -n bigdata02 "source /etc/profile.d/hadoop-etc.sh && \
    kafka-consumer-groups.sh --bootstrap-server $BS --describe --group uc-click-db > /root/uc/peak.txt"
  ssh -n bigdata02 cat /root/uc/peak.txt
  ssh -n bigdata02 grep -Eq "'^uc-click-db\s+uc-clicks\s+[0-9]+\s+[0-9]+\s+[0-9]+\s+[1-9][0-9]{2,}\s'" /root/uc/peak.txt && break
done
wait $worker # 积压消化完、空闲 8 秒后它自己退出 / it exits by itself once the backlog is gone and 8 s pass
cat /tmp/uc-click-worker.log

# 第 4 步：扩展。分区加到 3 个，3 个 worker 同组分摊；bigdata02 上再发 3000 条，轮流发给 3 个分区。
# Step 4: scaling. Grow to 3 partitions, 3 workers share them in one group; 3000 more clicks from
# bigdata02, dealt out to the 3 partitions in turn.
# 一轮就够，不靠运气：组稳定、每个 worker 一个分区以后才发洪峰；每个分区正好 1000 条；worker 等整个组
# 的积压为 0 才离开，所以离开引起的再均衡不会把还有积压的分区交给别人。
# One round is enough, with no luck involved: the burst goes out once the group is stable with one
# partition per worker; each partition gets exactly 1000 clicks; a worker leaves only once the whole
# group's lag is 0, so the rebalance its leaving causes hands no partition with a backlog to another.
kafka-topics.sh --bootstrap-server $BS --alter --topic uc-clicks --partitions 3
pids=()
for w in w1 w2 w3; do
  nohup node click-worker.js $w > /tmp/uc-click-$w.log 2>&1 &
  pids+=($!)
done
wait_group uc-click-db 3 1
ssh -n bigdata02 "source /etc/profile.d/hadoop-etc.sh && \
  kafka-producer-perf-test.sh --topic uc-clicks --num-records 3000 --record-size 100 --throughput -1 \
    --producer-props bootstrap.servers=$BS partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner"
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group uc-click-db
for pid in "${pids[@]}"; do
  wait "$pid"
done
cat /tmp/uc-click-w[123].log
cat /root/uc/workers.txt

# 第 5 步：可恢复性。开 2 张发票后“崩溃”，重启后从提交的 offset 接着开，不重复。
# Step 5: recoverability. "Crash" after 2 invoices; the restart continues at the committed offsets,
# nothing twice.
cat > /root/uc/invoice.js <<'JS'
// invoice.js：开发票服务。一张发票写好之后，才提交这条订单的 offset。
// The invoicing service. It commits an order's offset only after the invoice is written.
// 用法 / usage: node invoice.js [处理几条后停下 / stop after this many orders]
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

const limit = Number(process.argv[2] || Infinity);
const OUT = '/root/uc/invoices.txt';
const kafka = new Kafka({
  clientId: 'invoice',
  brokers: ['bigdata01:9092', 'bigdata02:9092', 'bigdata03:9092'],
  logLevel: logLevel.NOTHING, // 不打印 kafkajs 自己的日志 / no kafkajs logs
});
const consumer = kafka.consumer({ groupId: 'uc-invoice' });
let handled = 0;
let idle;

const stop = () => consumer.disconnect().then(() => process.exit(0));
const stopWhenIdle = () => {
  clearTimeout(idle);
  idle = setTimeout(() => {
    console.log('no new orders for 5 s: stopping');
    stop();
  }, 5000);
};

async function main() {
  fs.appendFileSync(OUT, '--- invoice service started ---\n');
  consumer.on(consumer.events.GROUP_JOIN, stopWhenIdle);
  await consumer.connect();
  // fromBeginning 只在这个组还没有提交过 offset 时起作用 / fromBeginning only matters while the group has no committed offset
  await consumer.subscribe({ topic: 'uc-orders', fromBeginning: true });
  await consumer.run({
    autoCommit: false, // 由我们决定何时提交 / we decide when to commit
    eachMessage: async ({ topic, partition, message }) => {
      if (handled >= limit) return; // 正在停下，不再处理 / stopping: handle nothing more
      const order = JSON.parse(message.value.toString());
      fs.appendFileSync(OUT, `invoice for order ${order.orderId} (partition ${partition}, offset ${message.offset})\n`);
      // 发票写好了，再提交“下一条要读的位置”，也就是这条的 offset + 1
      // The invoice is written: now commit "the next position to read", i.e. this offset + 1
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      handled++;
      console.log(`invoiced order ${order.orderId} (partition ${partition}, offset ${message.offset})`);
      if (handled >= limit) {
        console.log(`handled ${handled} orders: stopping, as if the service had crashed`);
        stop();
      } else {
        stopWhenIdle();
      }
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
JS
node invoice.js 2
kafka-consumer-groups.sh --bootstrap-server $BS --describe --group uc-invoice
node invoice.js
cat /root/uc/invoices.txt

# 第 6 步：异步通信。同步注册要等邮件发完；异步注册只把任务放进 uc-emails，邮件服务稍后处理。
# Step 6: asynchronous communication. A sync sign-up waits for the emails; an async one only queues
# jobs in uc-emails, and the email service handles them later.
create_topic uc-emails 1
cat > /root/uc/signup.js <<'JS'
// signup.js：注册服务。每个新用户都要收到一封欢迎邮件，发一封邮件大约要 1 秒。
// The sign-up service. Every new user gets a welcome email, and sending one takes about 1 s.
// 用法 / usage: node signup.js sync   同步：自己发邮件，发完才算注册完 / sync: send each email, wait for it
//               node signup.js        异步：把发邮件的任务放进 Kafka / async: queue the emails in Kafka
const { Kafka, Partitioners, logLevel } = require('kafkajs');

const sync = process.argv[2] === 'sync';
const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sendEmail = (user) => sleep(1000); // 假装在和邮件服务器通信 / pretend to talk to a mail server

const kafka = new Kafka({
  clientId: 'signup',
  brokers: ['bigdata01:9092', 'bigdata02:9092', 'bigdata03:9092'],
  logLevel: logLevel.WARN,
});
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

async function main() {
  await producer.connect();
  const start = Date.now();
  for (const user of users) {
    // ……把用户存进数据库…… / ...store the user in the database...
    if (sync) {
      await sendEmail(user);
    } else {
      await producer.send({ topic: 'uc-emails', messages: [{ key: user, value: `welcome email for ${user}` }] });
    }
  }
  const ms = Date.now() - start;
  console.log(
    sync
      ? `registered ${users.length} users in ${ms} ms (sync: waited for every email)`
      : `registered ${users.length} users in ${ms} ms (async: emails queued in Kafka)`,
  );
  await producer.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
JS
node signup.js sync | tee /root/uc/signup.txt
node signup.js | tee -a /root/uc/signup.txt
kafka-console-consumer.sh --bootstrap-server $BS --topic uc-emails --group uc-mailer --from-beginning --timeout-ms 5000 2>/dev/null
