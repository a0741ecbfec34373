#!/bin/bash
# kafka-storage.sh: 准备 KRaft 节点的存储目录（格式化），生成集群 id，查看目录状态。
#                   Prepares a KRaft node's storage (formats it), makes cluster ids, shows a directory's state.
#
#   kafka-storage.sh random-uuid                                        # 新集群的 id / an id for a new cluster
#   kafka-storage.sh format -t <集群 id / cluster id> -c config/kraft/controller.properties
#   kafka-storage.sh info -c config/kraft/controller.properties         # 格式化了吗？/ formatted yet?
#
# 为什么要先格式化：ZooKeeper 模式的 broker 第一次启动时自己生成集群 id、自己建目录；KRaft 节点
# 不这么做。元数据日志一旦"悄悄地"从空目录开始，多数控制器可能选出一个丢了已提交数据的 leader，
# 所以必须由人明确地 format：写下 meta.properties（集群 id、node.id）和初始的 metadata.version。
# Why format first: a ZooKeeper-mode broker makes up its cluster id and its directories at its first
# start; a KRaft node does not. If controllers silently started from empty directories, a majority
# could elect a leader that lacks committed metadata, so a person formats explicitly: format writes
# meta.properties (cluster id, node.id) and the initial metadata.version.
#
# 从 ZooKeeper 迁移时，-t 必须是现有集群的 id（ZooKeeper 的 /kafka/cluster/id，也在每个 broker 的
# meta.properties 里），不能用 random-uuid 生成新的。已经格式化过的目录会报错，加 --ignore-formatted 跳过。
# 格式化同时写下初始的 metadata.version（默认本版本的最新值 3.9-IV0，--release-version 可以改）。
# For a migration from ZooKeeper, -t must be the existing cluster's id (ZooKeeper's /kafka/cluster/id,
# also in every broker's meta.properties), not a new random-uuid. A directory formatted before is an
# error; --ignore-formatted skips it. Formatting also sets the initial metadata.version (by default
# this release's latest, 3.9-IV0; --release-version picks another).
#
# 3.9 的动态仲裁组（配置里写 controller.quorum.bootstrap.servers）格式化时还要加 --standalone 或
# --initial-controllers；本课程用静态的 controller.quorum.voters，不加。
# 3.9's dynamic quorum (controller.quorum.bootstrap.servers in the config) also needs --standalone or
# --initial-controllers at format time; this course's static controller.quorum.voters needs neither.
#
# 与 Kafka 1.1.1 的区别：那时还没有 KRaft（2.8 出现，3.3 可用于生产），也就没有这个脚本。
# Since Kafka 1.1.1: there was no KRaft then (it arrived in 2.8, production-ready in 3.3), nor this script.

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
