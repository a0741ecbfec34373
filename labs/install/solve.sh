#!/bin/bash
# 安装实验的参考答案，也是 `ready` 模式环境的构建方式（同一个脚本，只此一处）。
# Solution of the install lab, and also how `ready` environments are built: one script, one place.
#
# 在 bigdata01 上以 root 运行，按课程笔记 2.2 的步骤安装三台服务器上的 Kafka。
# Runs on bigdata01 as root and follows the notes' section 2.2 on all three servers.
set -euo pipefail

KAFKA_TGZ=/opt/soft/kafka_2.13-3.9.2.tgz
KAFKA_HOME=/opt/apps/kafka
ZK_CONNECT=bigdata01:2181,bigdata02:2181,bigdata03:2181/kafka

# 1. 解压并重命名 / unpack and rename
if [ ! -d "$KAFKA_HOME" ]; then
  tar -zxf "$KAFKA_TGZ" -C /opt/apps
  mv /opt/apps/kafka_2.13-3.9.2 "$KAFKA_HOME"
fi

# 2. 环境变量（笔记里的文件名是 hadoop-etc.sh）/ environment variables (the notes' file name)
cat > /etc/profile.d/hadoop-etc.sh <<'PROFILE'
export KAFKA_HOME=/opt/apps/kafka
export PATH=$PATH:$KAFKA_HOME/bin
PROFILE
# 笔记写的“编译”其实是让它在当前 shell 生效 / the notes' "compile" means: take effect now
source /etc/profile.d/hadoop-etc.sh

# 3. 配置 server.properties：broker.id、log.dirs（目录需要手动创建）、zookeeper.connect（带 /kafka 根路径）
#    configure broker.id, log.dirs (create the directory by hand), zookeeper.connect (with the /kafka chroot)
mkdir -p /opt/data/kafka
sed -i \
  -e 's/^broker\.id=.*/broker.id=1/' \
  -e 's#^log\.dirs=.*#log.dirs=/opt/data/kafka#' \
  -e "s#^zookeeper\.connect=.*#zookeeper.connect=$ZK_CONNECT#" \
  "$KAFKA_HOME/config/server.properties"

# 4. 同步到另外两台并修改 broker.id（笔记中的 /opt/app/ 应为 /opt/apps/）
#    copy to the other two servers and change broker.id there (the notes' /opt/app/ should be /opt/apps/)
for id in 2 3; do
  host=bigdata0$id
  scp -rq "$KAFKA_HOME" root@$host:/opt/apps/
  scp -q /etc/profile.d/hadoop-etc.sh root@$host:/etc/profile.d/
  ssh root@$host "mkdir -p /opt/data/kafka && sed -i 's/^broker\.id=.*/broker.id=$id/' $KAFKA_HOME/config/server.properties"
done

# 5. 三台都启动 broker（后台运行）/ start the broker on all three (in the background)
for id in 1 2 3; do
  ssh root@bigdata0$id 'source /etc/profile.d/hadoop-etc.sh && kafka-server-start.sh -daemon $KAFKA_HOME/config/server.properties'
done
echo "Kafka started on bigdata01..03"

# 6. 验证：三个 broker 都在 ZooKeeper 中注册 / verify: all three brokers registered in ZooKeeper
for _ in $(seq 1 60); do
  ids=$(zookeeper-shell.sh bigdata01:2181 ls /kafka/brokers/ids 2>/dev/null | tail -n 1) || true
  [ "$ids" = "[1, 2, 3]" ] && { echo "registered brokers: $ids"; exit 0; }
  sleep 1
done
echo "brokers did not register within 60 s: ${ids:-none}" >&2
exit 1
