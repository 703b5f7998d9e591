#!/usr/bin/env bash
# The production shape rehearsed on one machine, with the real components as processes:
#   HAProxy :8080 -> two gunicorn nodes :8001 :8002 (health-checked on /healthz, idempotent requests retried)
#   two Celery workers and one beat (core/beat.py keeps a second beat idle)
#   PostgreSQL primary :5440 (Debian cluster <ver>/bankpm_primary, database bankpm) and a streaming replica :5441
#   (<ver>/bankpm_replica, made with pg_basebackup), read by the lag-tolerant pages (core/replica.py)
#   Redis :6390 as broker (db 0) and cache (db 1)
# It has its own PostgreSQL clusters and Redis, so that the fault drills (scripts/resilience.py) can stop them
# without touching the machine's shared services.
# Usage: scripts/cluster.sh up|down|status|env|start <component>       (make cluster = up; state under $CLUSTER_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CLUSTER_DIR=${CLUSTER_DIR:-/tmp/bankpm-cluster}
PGVER=$(ls /etc/postgresql | head -1)
DB=bankpm
PRIMARY=bankpm_primary
REPLICA=bankpm_replica
PRIMARY_PORT=${PRIMARY_PORT:-5440}
REPLICA_PORT=${REPLICA_PORT:-5441}
REDIS_PORT=${REDIS_PORT:-6390}
NODES=(8001 8002)
LB_PORT=${LB_PORT:-8080}
PY=$ROOT/.venv/bin/python

cluster_env() {
  cat <<EOF
export DJANGO_SETTINGS_MODULE=bankpm.settings.production
export DJANGO_SECRET_KEY=cluster-rehearsal-not-a-secret-$(hostname)
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false
# The drills' load comes from one address: they measure recovery, not the API rate limit.
export API_RATE_PER_TOKEN=1000000/min API_RATE_PER_ADDRESS=1000000/min
export DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DB
export DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/$DB
export DATABASE_CONN_MAX_AGE=60
export DATABASE_CONNECT_TIMEOUT=2
export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0
export CELERY_RESULT_BACKEND=redis://127.0.0.1:$REDIS_PORT/0
export CELERY_VISIBILITY_TIMEOUT=${CELERY_VISIBILITY_TIMEOUT:-30}
export CACHE_URL=redis://127.0.0.1:$REDIS_PORT/1
export DJANGO_MEDIA_ROOT=$CLUSTER_DIR/media
export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
export LOG_LEVEL=WARNING
EOF
}

need() {
  command -v haproxy >/dev/null || { echo "Installing haproxy from Debian"; apt-get update -qq;
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }
}

has_cluster() { pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx "$1"; }

drop_cluster() {
  if has_cluster "$1"; then
    pg_ctlcluster --skip-systemctl-redirect "$PGVER" "$1" stop -m immediate 2>/dev/null || true
    pg_dropcluster "$PGVER" "$1"
  fi
}

trust_local() {  # cluster: local and loopback connections, replication included, without a password
  printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" \
    "host replication all 127.0.0.1/32 trust" > "/etc/postgresql/$PGVER/$1/pg_hba.conf"
}

start_primary() {
  drop_cluster "$PRIMARY"
  pg_createcluster -q "$PGVER" "$PRIMARY" --port "$PRIMARY_PORT" >/dev/null
  trust_local "$PRIMARY"
  pg_ctlcluster --skip-systemctl-redirect "$PGVER" "$PRIMARY" start
  createdb -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres "$DB"
}

start_replica() {
  drop_cluster "$REPLICA"
  pg_createcluster -q "$PGVER" "$REPLICA" --port "$REPLICA_PORT" >/dev/null
  trust_local "$REPLICA"
  local data=/var/lib/postgresql/$PGVER/$REPLICA
  rm -rf "${data:?}"/*
  # A replication slot keeps the WAL the replica still needs, however busy the primary is meanwhile.
  runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$data" -R -X stream \
    -c fast -C -S bankpm_replica
  pg_ctlcluster --skip-systemctl-redirect "$PGVER" "$REPLICA" start
}

start_redis() {
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly yes \
    --dir "$CLUSTER_DIR" --pidfile "$CLUSTER_DIR/redis.pid" --logfile "$CLUSTER_DIR/redis.log"
}

haproxy_config() {
  cat > "$CLUSTER_DIR/haproxy.cfg" <<EOF
global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A node that refuses the connection or dies before answering: the request goes to the other node.
    # HAProxy retries only what is safe to send twice (a request it never delivered, or an idempotent one).
    retries 3
    retry-on conn-failure empty-response response-timeout 502 503
    option redispatch 1
frontend web
    bind 127.0.0.1:$LB_PORT
    http-request set-header X-Forwarded-Proto https
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
    http-check send hdr Host 127.0.0.1 hdr X-Forwarded-Proto https
    default-server inter 1s fall 2 rise 2
    server web1 127.0.0.1:${NODES[0]} check
    server web2 127.0.0.1:${NODES[1]} check
EOF
}

spawn() {  # name, command...
  local name=$1; shift
  ( set -a; eval "$(cluster_env)"; set +a; exec "$@" ) >"$CLUSTER_DIR/$name.log" 2>&1 &
  echo $! > "$CLUSTER_DIR/$name.pid"
}

start_node() {  # port
  spawn "web-$1" "$ROOT/.venv/bin/gunicorn" bankpm.wsgi:application --bind "127.0.0.1:$1" --workers 2 \
    --timeout 30 --graceful-timeout 5
}

start_worker() {  # n
  spawn "worker-$1" "$ROOT/.venv/bin/celery" -A bankpm worker --concurrency 1 -n "worker$1@%h" --loglevel=WARNING
}

start_beat() {
  spawn beat "$ROOT/.venv/bin/celery" -A bankpm beat --loglevel=INFO --schedule "$CLUSTER_DIR/beat-schedule"
}

wait_http() {  # url, seconds
  for _ in $(seq 1 "$2"); do
    curl -fsS -o /dev/null -H "X-Forwarded-Proto: https" "$1" 2>/dev/null && return 0
    sleep 1
  done
  echo "no answer from $1" >&2; return 1
}

up() {
  need
  down >/dev/null 2>&1 || true
  mkdir -p "$CLUSTER_DIR/media"
  start_primary
  start_redis
  ( eval "$(cluster_env)"; "$PY" manage.py migrate --noinput -v0
    # the demo is seeded with the local settings: production settings refuse to seed, rightly
    [ -n "${CLUSTER_NO_DEMO:-}" ] || DJANGO_SETTINGS_MODULE=bankpm.settings.local "$PY" manage.py seed_demo >/dev/null
    "$PY" manage.py collectstatic --noinput -v0 )
  start_replica
  for port in "${NODES[@]}"; do start_node "$port"; done
  start_worker 1; start_worker 2; start_beat
  haproxy_config
  haproxy -D -f "$CLUSTER_DIR/haproxy.cfg" -p "$CLUSTER_DIR/haproxy.pid"
  for port in "${NODES[@]}"; do wait_http "http://127.0.0.1:$port/healthz" 60; done
  wait_http "http://127.0.0.1:$LB_PORT/healthz" 30
  echo "BankPM cluster at http://127.0.0.1:$LB_PORT (state in $CLUSTER_DIR)"
}

down() {
  for pidfile in "$CLUSTER_DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  sleep 1
  drop_cluster "$REPLICA"
  drop_cluster "$PRIMARY"
  rm -rf "$CLUSTER_DIR"
  echo "cluster stopped"
}

status() {
  for pidfile in "$CLUSTER_DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    if kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$name up"; else echo "$name DOWN"; fi
  done
  pg_lsclusters | grep -E "Ver|$PRIMARY|$REPLICA"
}

start() {  # restart one component after a drill: web-<port>, worker-<n>, beat
  case "$1" in
    web-*) start_node "${1#web-}"; wait_http "http://127.0.0.1:${1#web-}/healthz" 60 ;;
    worker-*) start_worker "${1#worker-}" ;;
    beat) start_beat ;;
    *) echo "unknown component $1" >&2; return 2 ;;
  esac
}

case "${1:-up}" in
  up) up ;;
  start) start "$2" ;;
  down) down ;;
  status) status ;;
  env) cluster_env ;;
  *) echo "usage: $0 up|down|status|env|start <component>" >&2; exit 2 ;;
esac
