#!/usr/bin/env bash
# Throwaway servers for the demo and the tests: loopback only, free ports, no persistence.
# Source this file, call `svc_init`, then `svc_start_redis` / `svc_start_cluster` /
# `svc_start_postgres`; everything this shell started is stopped by `svc_stop_all`, which
# svc_init installs as an EXIT/INT/TERM trap. Only processes started here are touched
# (by their own pid files), never anything found by name.

SVC_ROOT=""
SVC_STOPPERS=()

svc_log() { printf '[services] %s\n' "$*" >&2; }

svc_as_root() {
  if (( EUID == 0 )); then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else svc_log "need root to run: $*"; return 1; fi
}

svc_apt_updated=""
svc_apt_install() {
  if [[ -z $svc_apt_updated ]]; then
    svc_log "apt-get update"
    svc_as_root apt-get update -qq >/dev/null
    svc_apt_updated=1
  fi
  svc_log "apt-get install $*"
  svc_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

svc_wait_until() { # seconds cmd...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.1
  done
}

svc_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free loopback port in [20000, 40000) whose +10000 neighbour (Redis Cluster bus) is free too.
svc_free_port() {
  local p i
  for (( i = 0; i < 200; i++ )); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 20000 ))
    if ! svc_port_busy "$p" && ! svc_port_busy $(( p + 10000 )); then echo "$p"; return 0; fi
  done
  svc_log "no free port found"; return 1
}

svc_alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1; [[ $s != Z* ]]; }

svc_init() {
  SVC_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/zndraw-storage-svc.XXXXXX")
  chmod 755 "$SVC_ROOT"
  trap 'svc_stop_all' EXIT
  trap 'svc_stop_all; exit 130' INT
  trap 'svc_stop_all; exit 143' TERM
}

svc_stop_all() {
  local i
  for (( i = ${#SVC_STOPPERS[@]} - 1; i >= 0; i-- )); do eval "${SVC_STOPPERS[i]}" || true; done
  SVC_STOPPERS=()
  [[ -n $SVC_ROOT && -d $SVC_ROOT ]] && rm -rf "$SVC_ROOT"
  SVC_ROOT=""
}

svc_need_redis() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
  svc_apt_install redis-server redis-tools
}

svc_redis_pong() { [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }

# svc_redis_ours PORT DIR: the server answering on PORT is the one whose pid file is in DIR (not a stranger that
# took the port between the free-port check and our bind).
svc_redis_ours() {
  local port=$1 dir=$2 pid
  [[ -f $dir/redis.pid ]] || return 1
  pid=$(<"$dir/redis.pid"); svc_alive "$pid" || return 1
  [[ $(redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p') == "$pid" ]]
}

svc_redis_settled() { svc_redis_ours "$1" "$2" || grep -q 'aborting' "$2/redis.log" 2>/dev/null; }

# svc_redis_launch PORT DIRBASE [extra redis-server args...]: starts a server in DIRBASE-PORT and sets SVC_PORT.
# If PORT was taken in the meantime (the bind fails), tries again on another free port (up to 5 times).
svc_redis_launch() {
  local port=$1 base=$2 attempt dir; shift 2
  for (( attempt = 0; attempt < 5; attempt++ )); do
    dir=$base-$port
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
      --save '' --appendonly no "$@" >/dev/null
    SVC_STOPPERS+=("svc_redis_halt $port '$dir'")
    svc_wait_until 30 svc_redis_settled "$port" "$dir" || true
    if svc_redis_ours "$port" "$dir"; then SVC_PORT=$port; return 0; fi
    if grep -q 'Address already in use' "$dir/redis.log" 2>/dev/null; then
      svc_log "port $port was taken meanwhile; trying another"
      port=$(svc_free_port) || return 1
      continue
    fi
    svc_log "redis :$port did not start"; tail -20 "$dir/redis.log" >&2; return 1
  done
  svc_log "redis: no port could be bound"; return 1
}

svc_redis_halt() { # PORT DIR: only the server whose pid file is in DIR
  local port=$1 dir=$2 pid
  [[ -f $dir/redis.pid ]] || return 0
  pid=$(<"$dir/redis.pid")
  if svc_alive "$pid"; then
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    svc_wait_until 10 test ! -e "$dir/redis.pid" || { kill "$pid" 2>/dev/null; sleep 1; ! svc_alive "$pid" || kill -9 "$pid" 2>/dev/null; }
  fi
}

# Starts one Redis and exports ZNDRAW_REDIS=127.0.0.1:PORT.
svc_start_redis() {
  svc_need_redis
  local port; port=$(svc_free_port)
  svc_redis_launch "$port" "$SVC_ROOT/redis" || return 1
  export ZNDRAW_REDIS="127.0.0.1:$SVC_PORT"
  svc_log "redis    $ZNDRAW_REDIS"
}

# Starts a second Redis that emits the keyspace notifications the index reconciler listens to, and exports
# ZNDRAW_REDIS_NOTIFY=127.0.0.1:PORT. A server of its own: notify-keyspace-events is server-wide, and the
# reconciliation tests change it (and restore it) without disturbing the other tests.
svc_start_redis_notify() {
  svc_need_redis
  local port; port=$(svc_free_port)
  svc_redis_launch "$port" "$SVC_ROOT/redis-notify" --notify-keyspace-events 'K$hgx' || return 1
  export ZNDRAW_REDIS_NOTIFY="127.0.0.1:$SVC_PORT"
  svc_log "redis    $ZNDRAW_REDIS_NOTIFY (keyspace notifications)"
}

# Starts a Redis Cluster of 3 primaries, each with one replica (6 nodes; `svc_start_cluster 0` for primaries only), and
# exports ZNDRAW_REDIS_CLUSTER=host:port,... (every node). Replication is asynchronous, as in production; no persistence.
svc_start_cluster() {
  svc_need_redis
  local replicas=${1:-1} p nodes=() ports=() i
  for (( i = 0; i < 3 * (1 + replicas); i++ )); do
    p=$(svc_free_port)
    svc_redis_launch "$p" "$SVC_ROOT/cluster" --cluster-enabled yes \
      --cluster-config-file "nodes.conf" --cluster-node-timeout 5000 || return 1
    nodes+=("127.0.0.1:$SVC_PORT"); ports+=("$SVC_PORT")
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes \
    > "$SVC_ROOT/cluster-create.log" 2>&1 || { cat "$SVC_ROOT/cluster-create.log" >&2; return 1; }
  svc_cluster_ok() {
    local q
    for q in "${ports[@]}"; do redis-cli -h 127.0.0.1 -p "$q" cluster info 2>/dev/null | grep '^cluster_state:ok' >/dev/null || return 1; done
    # every replica has finished its first sync (a replica still loading answers LOADING)
    for q in "${ports[@]}"; do ! redis-cli -h 127.0.0.1 -p "$q" info replication 2>/dev/null | grep '^master_link_status:down' >/dev/null || return 1; done
  }
  svc_wait_until 30 svc_cluster_ok || { svc_log "cluster_state never became ok"; return 1; }
  ZNDRAW_REDIS_CLUSTER=$(IFS=,; echo "${nodes[*]}")
  export ZNDRAW_REDIS_CLUSTER
  svc_log "cluster  $ZNDRAW_REDIS_CLUSTER ($replicas replica(s) per primary)"
}

svc_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [[ -x $d/initdb ]] && { echo "$d"; return 0; }; done
  return 1
}

svc_need_postgres() {
  svc_pg_bin >/dev/null 2>&1 && return 0
  svc_apt_install postgresql
}

# svc_pg_launch BASE PORT PASSWORD "SETTINGS" [FILE...]: one PostgreSQL cluster in BASE on 127.0.0.1:PORT (no fsync;
# stopped by svc_stop_all) with a login role and database zndraw (PASSWORD). FILEs are copied into BASE first (mode 600,
# owned by the server's OS user), SETTINGS ("-c name=value ...") are added to the server's options. Sets svc_pg_ctl to
# the pg_ctl command of the cluster.
svc_pg_launch() {
  local base=$1 port=$2 password=$3 settings=$4 bin os_user=postgres
  shift 4
  bin=$(svc_pg_bin)
  pg_as() {
    if (( EUID == 0 )); then (cd "$base" && runuser -u "$os_user" -- "$@"); else (cd "$base" && "$@"); fi
  }
  if (( EUID == 0 )); then
    id -u "$os_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$os_user"
    install -d -m 700 -o "$os_user" "$base"
    (( $# == 0 )) || install -m 600 -o "$os_user" "$@" "$base/"
  else
    install -d -m 700 "$base"
    (( $# == 0 )) || install -m 600 "$@" "$base/"
  fi
  pg_as "$bin/initdb" -D "$base/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync --no-instructions > "$base/initdb.log" 2>&1 \
    || { cat "$base/initdb.log" >&2; return 1; }
  pg_as "$bin/pg_ctl" -D "$base/data" -l "$base/postgres.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c fsync=off -c synchronous_commit=off -c full_page_writes=off $settings" \
    start > /dev/null || { tail -20 "$base/postgres.log" >&2; return 1; }
  SVC_STOPPERS+=("svc_pg_halt '$bin' '$base' '$os_user'")
  pg_as "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$base" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE zndraw LOGIN CREATEDB PASSWORD '$password'" -c "CREATE DATABASE zndraw OWNER zndraw" >/dev/null
  svc_pg_ctl="$bin/pg_ctl -D $base/data"
}

# Starts PostgreSQL and exports ZNDRAW_POSTGRES (an Npgsql connection string).
svc_start_postgres() {
  svc_need_postgres
  local port; port=$(svc_free_port)
  svc_pg_launch "$SVC_ROOT/pg" "$port" zndraw "-c max_connections=300" || return 1
  export ZNDRAW_POSTGRES="Host=127.0.0.1;Port=$port;Database=zndraw;Username=zndraw;Password=zndraw"
  export ZNDRAW_POSTGRES_CTL="$svc_pg_ctl"
  svc_log "postgres 127.0.0.1:$port"
}

svc_pg_halt() { # BIN BASE OS_USER
  local bin=$1 base=$2 os_user=$3
  [[ -f $base/data/postmaster.pid ]] || return 0
  if (( EUID == 0 )); then (cd "$base" && runuser -u "$os_user" -- "$bin/pg_ctl" -D "$base/data" -m fast -w -t 30 stop >/dev/null)
  else (cd "$base" && "$bin/pg_ctl" -D "$base/data" -m fast -w -t 30 stop >/dev/null); fi
}

# svc_make_test_ca: a throwaway CA and certificates made by openssl (EC P-256, fast), in $SVC_ROOT/tls, exported as
# ZNDRAW_TLS_DIR. Files: ca.crt (the CA to trust), server.crt/.key (for localhost and 127.0.0.1), client.crt/.key
# and client.pfx (password in client.pfx.password) for mutual TLS, expired.crt/.key (not valid any more),
# wronghost.crt/.key (for wrong-host.invalid only), other-ca.crt (a CA that signed none of them). Idempotent.
svc_make_test_ca() {
  [[ -n ${ZNDRAW_TLS_DIR:-} && -f $ZNDRAW_TLS_DIR/ca.crt ]] && return 0
  local d=$SVC_ROOT/tls ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  mkdir -p "$d"
  svc_tls_leaf() { # NAME SUBJECT DAYS [SAN]
    openssl req "${ec[@]}" -keyout "$d/$1.key" -out "$d/$1.csr" -subj "$2" 2>/dev/null || return 1
    openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days "$3" \
      ${4:+-extfile <(printf 'subjectAltName=%s\n' "$4")} -out "$d/$1.crt" 2>/dev/null || return 1
    rm -f "$d/$1.csr"
  }
  ( set -e
    openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj "/CN=ZnDraw.Storage test CA" 2>/dev/null
    openssl req -x509 "${ec[@]}" -keyout "$d/other-ca.key" -out "$d/other-ca.crt" -days 2 -subj "/CN=ZnDraw.Storage other CA" 2>/dev/null
    svc_tls_leaf server "/CN=localhost" 2 "DNS:localhost,IP:127.0.0.1"
    svc_tls_leaf client "/CN=zndraw-storage-test-client" 2
    svc_tls_leaf expired "/CN=localhost" -1 "DNS:localhost,IP:127.0.0.1"
    svc_tls_leaf wronghost "/CN=wrong-host.invalid" 2 "DNS:wrong-host.invalid"
    printf 'pfx-%s' "$RANDOM$RANDOM" > "$d/client.pfx.password"
    openssl pkcs12 -export -in "$d/client.crt" -inkey "$d/client.key" -out "$d/client.pfx" \
      -passout "file:$d/client.pfx.password" 2>/dev/null
    chmod 644 "$d"/* ) || { svc_log "openssl could not make the test certificates"; return 1; }
  export ZNDRAW_TLS_DIR=$d
  svc_log "tls      $ZNDRAW_TLS_DIR (throwaway CA)"
}

# Starts a Redis that also serves TLS (server.crt of svc_make_test_ca; client certificates optional) and exports
# ZNDRAW_REDIS_TLS=127.0.0.1:TLSPORT. Its plain port only serves the start-up check.
svc_start_redis_tls() {
  svc_need_redis
  svc_make_test_ca || return 1
  local port tls_port; port=$(svc_free_port); tls_port=$(svc_free_port)
  svc_redis_launch "$port" "$SVC_ROOT/redis-tls" --tls-port "$tls_port" --tls-cert-file "$ZNDRAW_TLS_DIR/server.crt" \
    --tls-key-file "$ZNDRAW_TLS_DIR/server.key" --tls-ca-cert-file "$ZNDRAW_TLS_DIR/ca.crt" --tls-auth-clients optional || return 1
  export ZNDRAW_REDIS_TLS="127.0.0.1:$tls_port"
  svc_log "redis    $ZNDRAW_REDIS_TLS (TLS)"
}

# Starts a second PostgreSQL that serves TLS with server.crt of svc_make_test_ca (ssl=on; unencrypted connections are
# still accepted, so the tests choose), and exports ZNDRAW_POSTGRES_TLS (an Npgsql connection string with a password,
# to which the tests add SSL Mode=VerifyFull;Root Certificate=...). A server of its own: TLS on the shared one would
# put every other SQL test on TLS.
svc_start_postgres_tls() {
  svc_need_postgres
  svc_make_test_ca || return 1
  local port base=$SVC_ROOT/pg-tls password="pg-tls-$RANDOM$RANDOM"; port=$(svc_free_port)
  svc_pg_launch "$base" "$port" "$password" "-c ssl=on -c ssl_cert_file=$base/server.crt -c ssl_key_file=$base/server.key" \
    "$ZNDRAW_TLS_DIR/server.crt" "$ZNDRAW_TLS_DIR/server.key" || return 1
  export ZNDRAW_POSTGRES_TLS="Host=127.0.0.1;Port=$port;Database=zndraw;Username=zndraw;Password=$password"
  svc_log "postgres 127.0.0.1:$port (TLS)"
}
