#!/usr/bin/env bash
# Runs docker/compose.yaml (Redis) and docker/compose.postgres.yaml (PostgreSQL) on this machine with the image
# docker/build-here.sh built, and checks the two-silo cluster: both silos healthy, both in membership, the demo
# sweep finishes through the CLI in silo1, a graceful stop of silo2 within stop_grace_period. Run build-here.sh first.
#
#   docker/compose-check-here.sh [redis|postgres|both]     (default both)
#   CHECK_SILO2_DASHBOARD=true docker/compose-check-here.sh   (silo2 with its dashboard on)
#
# Neither redis:7 nor postgres:15 can be pulled here: this makes local stand-ins tagged with those names from
# Debian 12's packages (redis-server 7.0, postgresql-15) on the debootstrap rootfs build-here.sh cached, with the
# two behaviours of the official images the compose files rely on (Redis answers other containers: no protected
# mode; PostgreSQL creates POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB on an empty data volume).
# Compose here is Debian's docker-compose 1.29 (no Compose v2 plugin is installable here); it does not know the
# top-level "name:" key, so the check feeds it the files without that line.
set -euo pipefail
# Host ports of silo1 for the check (compose.yaml's HTTP_PORT), away from a silo running on this
# machine outside Docker (5080/30000).
export HTTP_PORT=${HTTP_PORT:-15080}
# An admin token for the check, made as `verlorleans token new` makes one (vo_ + 32 random bytes, base64url; SHA-256).
token=vo_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
export VERLORLEANS_ADMIN_TOKEN_HASH="sha256:$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${STANDIN_DIR:-/var/tmp/verlorleans-standins}
which=${1:-both}
docker=/usr/bin/docker
export DOCKER_BUILDKIT=1
log() { printf '\n==> [%4ss] %s\n' "$SECONDS" "$*"; }

"$docker" info >/dev/null 2>&1 || { echo "no docker engine: run docker/build-here.sh first" >&2; exit 1; }
"$docker" image inspect verlorleans-silo:cpu >/dev/null 2>&1 || { echo "no verlorleans-silo:cpu: run docker/build-here.sh first" >&2; exit 1; }
command -v docker-compose >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose
[ -f "$work/rootfs/.complete" ] || { echo "no cached rootfs in $work: run docker/build-here.sh first" >&2; exit 1; }

# ------------------------------------------------------------------------------ stand-ins for redis:7, postgres:15
debian=localhost/verlorleans-standin-debian:12
if ! "$docker" image inspect "$debian" >/dev/null 2>&1; then
  log "stand-in $debian from $work/rootfs"
  tar --numeric-owner -C "$work/rootfs" --exclude=./.complete -c . | "$docker" import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" --change 'CMD ["bash"]' - "$debian" >/dev/null
fi

if ! "$docker" image inspect redis:7 >/dev/null 2>&1; then
  log "stand-in redis:7 (Debian 12 redis-server)"
  "$docker" build -q -t redis:7 - <<EOF
FROM $debian
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-tools \\
 && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data \\
 && printf '#!/bin/sh\nexec /usr/bin/redis-server "\$@" --protected-mode no --bind 0.0.0.0 --dir /data\n' > /usr/local/bin/redis-server \\
 && chmod 755 /usr/local/bin/redis-server
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server"]
EOF
fi

if ! "$docker" image inspect postgres:15 >/dev/null 2>&1; then
  log "stand-in postgres:15 (Debian 12 postgresql-15)"
  ctx=$(mktemp -d)
  cat >"$ctx/entrypoint.sh" <<'EOF'
#!/bin/sh
# What the compose file needs of the official image: an empty PGDATA is initialised with POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB, and the server listens on every address with password authentication.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  pw=$(mktemp); printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$pw"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  db=${POSTGRES_DB:-$user}
  [ "$db" = postgres ] || createdb -U "$user" "$db"
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
EOF
  chmod 755 "$ctx/entrypoint.sh"
  cat >"$ctx/Dockerfile" <<EOF
FROM $debian
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 \\
 && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/postgresql/data /var/run/postgresql \\
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:\$PATH PGDATA=/var/lib/postgresql/data
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
USER postgres
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
EOF
  "$docker" build -q -t postgres:15 "$ctx"
  rm -rf "$ctx"
fi

# ------------------------------------------------------------------------------ the check
restarts() { "$docker" inspect --format '{{.RestartCount}}' "$1" 2>/dev/null || echo 0; }
health() { "$docker" inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null || echo missing; }

check() {
  local file=$1 project=$2
  local compose_file
  compose_file=$(mktemp --suffix=.yaml)
  sed '/^name:/d' "$repo/docker/$file" >"$compose_file"
  # CHECK_SILO2_DASHBOARD=true: silo2 with its dashboard on (the files as written have it off).
  if [ -n "${CHECK_SILO2_DASHBOARD:-}" ]; then
    sed -i "s/VERLORLEANS__DASHBOARDENABLED: \"false\"/VERLORLEANS__DASHBOARDENABLED: \"$CHECK_SILO2_DASHBOARD\"/" "$compose_file"
  fi
  local -a dc=(docker-compose --project-directory "$repo/docker" -p "$project" -f "$compose_file")
  log "$file: up (project $project, image verlorleans-silo:cpu, no build)"
  "${dc[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  local started=$SECONDS
  "${dc[@]}" up -d --no-build
  local s1="${project}_silo1_1" s2="${project}_silo2_1"
  for _ in $(seq 180); do
    [ "$(health "$s1")" = healthy ] && [ "$(health "$s2")" = healthy ] && break
    [ "$(restarts "$s1")$(restarts "$s2")" = 00 ] || break   # a silo exited: no point waiting
    sleep 1
  done
  echo "silo1 $(health "$s1"), silo2 $(health "$s2") after $((SECONDS - started)) s"
  local ok=1
  [ "$(health "$s1")" = healthy ] && [ "$(health "$s2")" = healthy ] || ok=0
  if [ "$ok" = 1 ]; then
    echo "GET /health from the host (127.0.0.1:$HTTP_PORT, silo1): $(curl -s -m 5 http://127.0.0.1:$HTTP_PORT/health)"
    echo "silos in membership (GET /api/cluster):"
    echo "GET /api/cluster without a token: $(curl -s -o /dev/null -w '%{http_code}' -m 10 http://127.0.0.1:$HTTP_PORT/api/cluster)"
    curl -s -m 10 -H "Authorization: Bearer $token" http://127.0.0.1:$HTTP_PORT/api/cluster | grep -o '"hostName":"[^"]*","status":"[^"]*"\|"selfTestPassed":[a-z]*\|"activeSiloCount":[0-9]*' | paste -sd ' ' || true
    log "$file: verlorleans demo --watch in silo1"
    "${dc[@]}" exec -T silo1 verlorleans demo --watch >"$work/demo-$project.out" 2>&1 || ok=0
    tail -12 "$work/demo-$project.out"
    echo "restarts during the check: silo1 $(restarts "$s1"), silo2 $(restarts "$s2")"
    [ "$(restarts "$s1")$(restarts "$s2")" = 00 ] || ok=0
    echo "runs folders on the shared volume, seen from silo2: $("$docker" exec "$s2" sh -c 'find /shared/runs -mindepth 1 -maxdepth 1 -type d | wc -l')"
    log "$file: docker stop silo2 (graceful; stop_grace_period 60 s)"
    local t=$SECONDS
    "$docker" stop -t 60 "$s2" >/dev/null
    echo "silo2 stopped in $((SECONDS - t)) s, exit code $("$docker" inspect --format '{{.State.ExitCode}}' "$s2")"
    sleep 5
    echo "silo1 after silo2 left: $(curl -s -m 10 http://127.0.0.1:$HTTP_PORT/health)"
  fi
  if [ "$ok" = 0 ]; then
    "${dc[@]}" ps || true
    "${dc[@]}" logs --tail=40 || true
  fi
  "${dc[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
  rm -f "$compose_file"
  [ "$ok" = 1 ] && log "$file: OK" || { log "$file: FAILED"; return 1; }
}

rc=0
case "$which" in
  redis) check compose.yaml verlorleanscheck || rc=1 ;;
  postgres) check compose.postgres.yaml verlorleanspgcheck || rc=1 ;;
  both) check compose.yaml verlorleanscheck || rc=1; check compose.postgres.yaml verlorleanspgcheck || rc=1 ;;
  *) echo "usage: $0 [redis|postgres|both]" >&2; exit 2 ;;
esac
exit $rc
