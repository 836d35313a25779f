# Starts and stops local 3-server Roster clusters and 3-member etcd clusters on 127.0.0.1 with free
# ports, for the wrk side-by-side and the soak. Source it; one place to adapt when cluster start-up
# changes (servers join as Consul's: -bootstrap-expect N -retry-join <the servers' gossip addresses>).
#   roster_up DIR [N]   starts N servers (default 3); sets ROSTER_HTTP (array of host:port), ROSTER_PIDS
#   etcd_up DIR [N]     starts N etcd members; sets ETCD_HTTP, ETCD_PIDS
#   cluster_down        stops every process started here (by pid), waits for them
ROSTER_PIDS=(); ETCD_PIDS=(); ROSTER_HTTP=(); ROSTER_RAFT=(); ETCD_HTTP=()

free_ports() { # N: prints N distinct free TCP ports on 127.0.0.1
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
PY
}

wait_http() { # URL SECONDS: waits until URL answers 200
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -sf -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  echo "cluster: $1 did not answer within $2 s" >&2
  return 1
}

roster_up() {
  local dir="$1" n="${2:-3}" i
  local -a ports raft join
  read -r -a ports <<<"$(free_ports $((4 * n)))"
  for ((i = 0; i < n; i++)); do raft[i]=${ports[$((4 * i + 1))]}; join+=("-retry-join=127.0.0.1:${ports[$((4 * i + 3))]}"); done
  ROSTER_HTTP=(); ROSTER_RAFT=()
  for ((i = 0; i < n; i++)); do
    mkdir -p "$dir/roster-$i"
    ROSTER_JAVA_OPTS="${ROSTER_JAVA_OPTS:-}" "$ROSTER_HOME/bin/roster" agent -server -node="server-$i" \
      -bind=127.0.0.1 -data-dir="$dir/roster-$i" -http-port="${ports[$((4 * i))]}" -dns-port="${ports[$((4 * i + 2))]}" \
      -server-port="${raft[i]}" -serf-lan-port="${ports[$((4 * i + 3))]}" -bootstrap-expect="$n" "${join[@]}" >"$dir/roster-$i/agent.log" 2>&1 &
    ROSTER_PIDS+=($!)
    ROSTER_HTTP+=("127.0.0.1:${ports[$((4 * i))]}"); ROSTER_RAFT+=("127.0.0.1:${raft[i]}")
  done
  for ((i = 0; i < n; i++)); do wait_http "http://${ROSTER_HTTP[i]}/v1/status/leader" 60 || return 1; done
  for ((i = 0; i < 300; i++)); do
    [ -n "$(roster_leader || true)" ] && return 0
    sleep 0.1
  done
  echo "cluster: no Roster leader" >&2; return 1
}

roster_leader() { # prints the HTTP address of the current leader (empty if none)
  local l i
  l=$(curl -sf --max-time 1 "http://${ROSTER_HTTP[0]}/v1/status/leader" | tr -d '"')
  for ((i = 0; i < ${#ROSTER_RAFT[@]}; i++)); do [ "${ROSTER_RAFT[i]}" = "$l" ] && echo "${ROSTER_HTTP[i]}"; done
  return 0
}

etcd_up() {
  local dir="$1" n="${2:-3}" i cluster=""
  local -a ports
  read -r -a ports <<<"$(free_ports $((2 * n)))"
  for ((i = 0; i < n; i++)); do cluster+="${cluster:+,}e$i=http://127.0.0.1:${ports[$((2 * i + 1))]}"; done
  ETCD_HTTP=()
  for ((i = 0; i < n; i++)); do
    mkdir -p "$dir/etcd-$i"
    ETCD_UNSUPPORTED_ARCH= etcd --name "e$i" --data-dir "$dir/etcd-$i" \
      --listen-client-urls "http://127.0.0.1:${ports[$((2 * i))]}" --advertise-client-urls "http://127.0.0.1:${ports[$((2 * i))]}" \
      --listen-peer-urls "http://127.0.0.1:${ports[$((2 * i + 1))]}" --initial-advertise-peer-urls "http://127.0.0.1:${ports[$((2 * i + 1))]}" \
      --initial-cluster "$cluster" --initial-cluster-state new --log-level error >"$dir/etcd-$i/etcd.log" 2>&1 &
    ETCD_PIDS+=($!)
    ETCD_HTTP+=("127.0.0.1:${ports[$((2 * i))]}")
  done
  for ((i = 0; i < n; i++)); do wait_http "http://${ETCD_HTTP[i]}/health" 60 || return 1; done
}

etcd_leader() { # prints the client address of the etcd leader
  local a
  for a in "${ETCD_HTTP[@]}"; do
    local st; st=$(curl -sf --max-time 1 -X POST -d '{}' "http://$a/v3/maintenance/status")
    local id lead
    id=$(sed -n 's/.*"member_id":"\([0-9]*\)".*/\1/p' <<<"$st"); lead=$(sed -n 's/.*"leader":"\([0-9]*\)".*/\1/p' <<<"$st")
    [ -n "$id" ] && [ "$id" = "$lead" ] && { echo "$a"; return 0; }
  done
  return 0
}

cluster_down() {
  local p
  for p in "${ROSTER_PIDS[@]}" "${ETCD_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${ROSTER_PIDS[@]}" "${ETCD_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  ROSTER_PIDS=(); ETCD_PIDS=()
}

server_cpu_seconds() { # PIDS...: sums utime+stime (seconds) of the given processes and their children threads
  local p t=0 ticks; ticks=$(getconf CLK_TCK)
  for p in "$@"; do
    local pid=$p
    # bin/roster execs java, so the pid is the JVM itself; etcd likewise.
    [ -r "/proc/$pid/stat" ] || continue
    t=$(( t + $(awk '{print $14 + $15}' "/proc/$pid/stat") ))
  done
  awk -v t="$t" -v k="$ticks" 'BEGIN { printf "%.2f", t / k }'
}
