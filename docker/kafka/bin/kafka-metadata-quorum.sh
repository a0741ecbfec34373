#!/bin/bash
# kafka-metadata-quorum.sh: 查看 KRaft 元数据仲裁组（控制器）的状态：谁是 leader、有哪些投票者、谁落后了多少。
#                           Describes the KRaft metadata quorum (the controllers): the leader, the
#                           voters, the observers and how far each one lags behind.
#
#   kafka-metadata-quorum.sh --bootstrap-controller bigdata01:9093 describe --status
#   kafka-metadata-quorum.sh --bootstrap-controller bigdata01:9093 describe --replication --human-readable
#   kafka-metadata-quorum.sh --bootstrap-server bigdata01:9092 describe --status   # 经由 KRaft broker / via a KRaft broker
#
# describe --status 的几行 / the lines of describe --status:
#   LeaderId        当前的活跃控制器 / the active controller
#   LeaderEpoch     第几任 leader（每次重新选举加一）/ the leader's term (grows with every election)
#   HighWatermark   已被多数投票者确认（提交）的元数据记录的位置 / offset committed by a majority of voters
#   CurrentVoters   投票者：控制器 / the voters: the controllers
#   CurrentObservers 观察者：只读取元数据日志、不投票的节点，即 KRaft 模式的 broker
#                    observers: nodes that read the metadata log without voting, i.e. KRaft-mode brokers
# describe --replication 每个节点一行：LogEndOffset、Lag（落后多少条）、Status（Leader/Follower/Observer）。
# describe --replication prints a line per node: LogEndOffset, Lag (records behind), Status.
#
# --bootstrap-controller 直接连控制器（9093 端口，3.7 起）；迁移期间 broker 还在 ZooKeeper 模式，
# 回答不了这个问题，这时只能用它。
# --bootstrap-controller talks to the controllers directly (port 9093, since 3.7). During a migration
# the brokers are still in ZooKeeper mode and cannot answer, so use it then.
#
# 与 Kafka 1.1.1 的区别：那时还没有 KRaft，也就没有这个脚本（3.3 加入）。
# Since Kafka 1.1.1: there was no KRaft then, nor this script (added in 3.3).

exec "$(dirname "$(readlink -f "$0")")/kafka-run-class.sh" org.apache.kafka.tools.MetadataQuorumCommand "$@"
