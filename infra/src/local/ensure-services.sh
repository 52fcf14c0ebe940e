#!/usr/bin/env bash
# Makes sure the machine's own PostgreSQL and Redis answer on their standard loopback ports,
# starting them with the commands this kind of machine (Debian 12, services installed from
# Debian's packages) uses. Safe to run when they already run. The test harness does not need
# this (it starts private servers when none answer); CI runs it so tests use the real services.
set -euo pipefail

wait_for() { # what, command...
  local what=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "ensure-services: $what did not come up" >&2
  return 1
}

if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "ensure-services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
    wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
  else
    echo "ensure-services: no PostgreSQL cluster here; the test harness will start a private one"
  fi
fi

if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "ensure-services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
  fi
fi
