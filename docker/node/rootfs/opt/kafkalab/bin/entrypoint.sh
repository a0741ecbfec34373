#!/bin/bash
# Entrypoint of a course server (runs under tini as PID 1).
#
# Starts what a big-data course's server has running before class: sshd and the pre-installed
# ZooKeeper (server id and ensemble from the environment, see below). Kafka is not started here
# the first time: installing and starting it is the student's job (or the `ready` mode's install
# script). After a stop/start of the environment, a broker that has run before is started again
# (and KRaft controllers that ran at the stop, first), so the student finds the cluster as they
# left it.
#
# Environment:
#   KAFKALAB_ZK_MYID      this server's ZooKeeper id (1..3); unset = no ZooKeeper here
#   KAFKALAB_ZK_SERVERS   the ensemble's hosts, comma-separated (default bigdata01,bigdata02,bigdata03)
set -u

log() { echo "[entrypoint $(date +%T)] $*"; }

start_sshd() {
  # The environment engine writes a per-environment host key before the first start.
  [ -f /etc/ssh/ssh_host_ecdsa_key ] || ssh-keygen -q -t ecdsa -N '' -f /etc/ssh/ssh_host_ecdsa_key
  /usr/sbin/sshd -E /var/log/sshd.log && log "sshd started"
}

start_zookeeper() {
  [ -n "${KAFKALAB_ZK_MYID:-}" ] || return 0
  /opt/zookeeper/bin/zk-configure.sh && /opt/zookeeper/bin/zkServer.sh start
}

# KRaft controllers that ran when the environment was stopped (the kraft lab's), as stop-broker
# recorded them: started again with the same config, LOG_DIR and heap, before the brokers that
# need them.
restart_controllers() {
  local record=/opt/kafkalab/state/controllers conf logdir heap
  [ -s "$record" ] || return 0
  while IFS=$'\t' read -r conf logdir heap; do
    [ -f "$conf" ] || continue
    log "starting the KRaft controller of $conf (it ran before this restart)"
    # Login shell for PATH and the student's settings; the recorded ones win.
    KL_CONF=$conf KL_LOG_DIR=$logdir KL_HEAP=$heap bash -lc '
      [ -n "$KL_LOG_DIR" ] && export LOG_DIR=$KL_LOG_DIR
      [ -n "$KL_HEAP" ] && export KAFKA_HEAP_OPTS=$KL_HEAP
      kafka-server-start.sh -daemon "$KL_CONF"' < /dev/null
  done < "$record"
}

restart_broker_if_it_ran_before() {
  local home clean=/opt/kafkalab/state/broker-stopped-cleanly
  restart_controllers
  home=$(/opt/kafkalab/bin/broker-ran-before) || return 0
  if [ -f "$clean" ]; then
    # Stopped cleanly: no registration left behind. Start now; the broker's ZooKeeper client
    # waits for the quorum (up to zookeeper.connection.timeout.ms, 18 s; it forms in ~3 s).
    rm -f "$clean"
  else
    # After docker kill or a crash: wait for the quorum, then for the old registration to expire.
    for _ in $(seq 1 300); do
      /opt/zookeeper/bin/zkServer.sh status 2>/dev/null | grep -Eq 'Mode: (leader|follower|standalone)' && break
      sleep 0.2
    done
    wait_for_stale_registration "$home/config/server.properties"
  fi
  log "starting the Kafka broker in $home (it ran before this restart)"
  # Login shell: picks up KAFKA_HEAP_OPTS and the like the student set in /etc/profile.d.
  bash -lc "cd '$home' && bin/kafka-server-start.sh -daemon config/server.properties"
}

# After an unclean stop (docker kill, host crash) ZooKeeper still holds the old broker's
# registration until its session times out (zookeeper.session.timeout.ms, 18 s), and a broker
# started before that exits with NodeExistsException. Wait until the registration is gone.
wait_for_stale_registration() {
  local conf=$1 id connect hosts chroot
  id=$(sed -n 's/^[[:space:]]*broker\.id[[:space:]]*=[[:space:]]*//p' "$conf" | tail -n 1)
  connect=$(sed -n 's/^[[:space:]]*zookeeper\.connect[[:space:]]*=[[:space:]]*//p' "$conf" | tail -n 1)
  [ -n "$id" ] && [ -n "$connect" ] || return 0
  hosts=${connect%%/*}
  chroot=${connect#"$hosts"}
  for _ in $(seq 1 40); do
    kafkalab-agent zk ls "$chroot/brokers/ids" --zookeeper "$hosts" --timeout 3000 2>/dev/null |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.exit(JSON.parse(s).children.includes(process.argv[1])?0:1)}catch{process.exit(1)}})' "$id" ||
      return 0
    log "waiting for the previous registration of broker $id to expire"
    sleep 1
  done
}

shutdown() {
  log "stopping"
  # The broker first, while ZooKeeper is still there for its controlled shutdown.
  /opt/kafkalab/bin/stop-broker 20
  /opt/zookeeper/bin/zkServer.sh stop >/dev/null 2>&1
  pkill -TERM sshd
  exit 0
}

trap shutdown TERM INT
start_sshd
start_zookeeper
restart_broker_if_it_ran_before &
sleep infinity &
wait $!
