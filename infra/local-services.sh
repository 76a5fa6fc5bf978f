#!/usr/bin/env bash
# Starts (or stops) the PostgreSQL and Redis installed on this machine for local development
# and tests. Idempotent: a service that already answers is left alone. Prints what it did.
#
#   infra/local-services.sh [start]   start whatever is not answering, wait until it answers
#   infra/local-services.sh status    say what answers
#   infra/local-services.sh stop      stop the local Postgres cluster and Redis
#
# Uses 127.0.0.1:5432 (Postgres) and 127.0.0.1:6379 (Redis). No Docker? This is the script.
# Docker instead? See infra/compose.yaml.
set -uo pipefail

WAIT_SECONDS="${WAIT_SECONDS:-60}"

say() { printf '[local-services] %s\n' "$*"; }

pg_up() { pg_isready -h 127.0.0.1 -q >/dev/null 2>&1; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" = "PONG" ]; }
have() { command -v "$1" >/dev/null 2>&1; }
pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

wait_for() {
  local name="$1" check="$2" deadline=$((SECONDS + WAIT_SECONDS))
  until "$check"; do
    if ((SECONDS >= deadline)); then
      say "$name did not answer within ${WAIT_SECONDS}s"
      return 1
    fi
    sleep 1
  done
  say "$name is answering"
}

start_postgres() {
  if pg_up; then
    say "PostgreSQL already answering on 127.0.0.1:5432 (left alone)"
    return 0
  fi
  local version
  version="$(pg_version)"
  if ! have pg_ctlcluster || [ -z "$version" ]; then
    say "PostgreSQL is not installed here (no pg_ctlcluster / /etc/postgresql); use infra/compose.yaml"
    return 1
  fi
  say "starting PostgreSQL cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || say "pg_ctlcluster returned non-zero; waiting anyway"
  wait_for PostgreSQL pg_up
}

start_redis() {
  if redis_up; then
    say "Redis already answering on 127.0.0.1:6379 (left alone)"
    return 0
  fi
  if ! have redis-server; then
    say "Redis is not installed here (no redis-server); use infra/compose.yaml"
    return 1
  fi
  say "starting redis-server on 127.0.0.1:6379 (no persistence)"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    || say "redis-server returned non-zero; waiting anyway"
  wait_for Redis redis_up
}

stop_postgres() {
  if ! pg_up; then
    say "PostgreSQL not running (nothing to stop)"
    return 0
  fi
  local version
  version="$(pg_version)"
  if ! have pg_ctlcluster || [ -z "$version" ]; then
    say "PostgreSQL answers but is not a local cluster this script manages (Docker?); left alone"
    return 0
  fi
  say "stopping PostgreSQL cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main stop
}

stop_redis() {
  if ! redis_up; then
    say "Redis not running (nothing to stop)"
    return 0
  fi
  say "stopping Redis on 127.0.0.1:6379"
  redis-cli -h 127.0.0.1 shutdown nosave >/dev/null 2>&1 || true
}

status() {
  if pg_up; then say "PostgreSQL: answering on 127.0.0.1:5432"; else say "PostgreSQL: not answering"; fi
  if redis_up; then say "Redis: answering on 127.0.0.1:6379"; else say "Redis: not answering"; fi
}

case "${1:-start}" in
  start)
    rc=0
    start_postgres || rc=1
    start_redis || rc=1
    exit "$rc"
    ;;
  stop)
    stop_redis
    stop_postgres
    ;;
  status)
    status
    ;;
  *)
    echo "usage: $0 [start|status|stop]" >&2
    exit 2
    ;;
esac
