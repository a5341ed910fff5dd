#!/usr/bin/env bash
# Builds verlorleans-silo:cpu from docker/Dockerfile on a Debian 12 machine that reaches only the Debian mirror
# and the NuGet registry (no Docker Hub, no mcr.microsoft.com). Idempotent; run as root from anywhere:
#
#   docker/build-here.sh            # engine + stand-in base images if missing, then the image
#   docker/build-here.sh --check    # ... then run it (host network, Localhost clustering) and GET /health
#
# 1. Docker engine: Debian's docker.io (dockerd 20.10 + its BuildKit), installed and started if none answers.
# 2. Stand-ins for the two base images the Dockerfile names, made only if they are missing:
#      mcr.microsoft.com/dotnet/aspnet:10.0  debootstrap'd Debian 12 (minbase + ca-certificates, ICU, OpenSSL,
#                                            tzdata, zlib, libstdc++) + this machine's .NET runtimes
#                                            (dotnet host, host/fxr, shared/Microsoft.NETCore.App,
#                                            shared/Microsoft.AspNetCore.App), user app (uid 1654) and the
#                                            environment of the real image.
#      mcr.microsoft.com/dotnet/sdk:10.0     the same rootfs + this machine's whole .NET SDK, plus the CA
#                                            certificates this machine trusts beyond Debian's (its egress
#                                            proxy's) and NUGET_CERT_REVOCATION_MODE as set here, so that the
#                                            restore in the build stage reaches NuGet the way this machine does.
#    The real images are Ubuntu 24.04; the stand-ins are Debian 12, like this machine. Remove them
#    (docker rmi mcr.microsoft.com/dotnet/{sdk,aspnet}:10.0) before building where the registry is reachable.
# 3. docker build -f docker/Dockerfile --build-arg TORCH_BACKEND=cpu -t verlorleans-silo:cpu <repo root>
#
# Environment: IMAGE (default verlorleans-silo:cpu), STANDIN_DIR (default /var/tmp/verlorleans-standins: the
# debootstrap rootfs cache and the dockerd log), DEBIAN_MIRROR (default http://deb.debian.org/debian),
# REBUILD_STANDINS=1 (make the stand-ins again).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image=${IMAGE:-verlorleans-silo:cpu}
work=${STANDIN_DIR:-/var/tmp/verlorleans-standins}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
sdk_image=mcr.microsoft.com/dotnet/sdk:10.0
aspnet_image=mcr.microsoft.com/dotnet/aspnet:10.0
check=0
[ "${1:-}" = "--check" ] && check=1

log() { printf '\n==> [%4ss] %s\n' "$SECONDS" "$*"; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (apt-get, debootstrap, dockerd)" >&2; exit 1; }
mkdir -p "$work"

# ------------------------------------------------------------------------------------------ 1. engine
# Debian's client: it drives the daemon's built-in BuildKit without the buildx plugin (a newer client
# without buildx refuses DOCKER_BUILDKIT=1).
docker=/usr/bin/docker
export DOCKER_BUILDKIT=1
if ! command -v dockerd >/dev/null; then
  log "apt-get install docker.io debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap
fi
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
if ! "$docker" info >/dev/null 2>&1; then
  log "starting dockerd (log: $work/dockerd.log)"
  # No systemd here: start it by hand, detached, once.
  setsid nohup dockerd >"$work/dockerd.log" 2>&1 < /dev/null &
  echo $! >"$work/dockerd.pid"
  for _ in $(seq 60); do "$docker" info >/dev/null 2>&1 && break; sleep 1; done
  "$docker" info >/dev/null 2>&1 || { tail -20 "$work/dockerd.log" >&2; echo "dockerd did not start" >&2; exit 1; }
fi
"$docker" version --format 'engine {{.Server.Version}}, storage {{.Server.Os}}' || true

# ------------------------------------------------------------------------------------------ 2. stand-ins
have_image() { "$docker" image inspect "$1" >/dev/null 2>&1; }

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
sdk_version=$(ls "$dotnet_root/sdk" | sort -V | tail -1)

make_rootfs() {
  # A minimal Debian 12 with what the .NET runtime needs (the packages of the real runtime-deps image).
  if [ ! -f "$work/rootfs/.complete" ]; then
    log "debootstrap bookworm -> $work/rootfs"
    rm -rf "$work/rootfs" "$work/rootfs.tmp"
    debootstrap --variant=minbase \
      --include=ca-certificates,libicu72,libssl3,tzdata,zlib1g,libstdc++6,libgcc-s1 \
      bookworm "$work/rootfs.tmp" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    # The runtime images' user: app, uid/gid 1654 ($APP_UID).
    chroot "$work/rootfs.tmp" groupadd --gid 1654 app
    chroot "$work/rootfs.tmp" useradd --no-log-init --uid 1654 --gid 1654 --create-home app
    rm -rf "$work/rootfs.tmp"/var/cache/apt/archives/*.deb "$work/rootfs.tmp"/var/lib/apt/lists/* \
           "$work/rootfs.tmp"/var/log/* "$work/rootfs.tmp"/tmp/*
    touch "$work/rootfs.tmp/.complete"
    mv "$work/rootfs.tmp" "$work/rootfs"
  fi
}

# Imports rootfs + the given parts of $dotnet_root (copied to /usr/share/dotnet) as image $1.
import_image() {
  local name=$1 stage=$2; shift 2
  local -a changes=(
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    --change "ENV APP_UID=1654"
    --change "ENV DOTNET_RUNNING_IN_CONTAINER=true"
    --change "ENV DOTNET_VERSION=$runtime_version"
    --change "ENV ASPNET_VERSION=$runtime_version"
    --change "LABEL org.opencontainers.image.description=\"local stand-in (Debian 12 + this machine's .NET), not the Microsoft image\""
    --change "CMD [\"bash\"]"
  )
  while [ $# -gt 0 ]; do changes+=(--change "$1"); shift; done
  tar --numeric-owner -C "$stage" -c . | "$docker" import "${changes[@]}" - "$name" >/dev/null
}

if [ "${REBUILD_STANDINS:-0}" = "1" ] || ! have_image "$aspnet_image" || ! have_image "$sdk_image"; then
  make_rootfs
  if [ "${REBUILD_STANDINS:-0}" = "1" ] || ! have_image "$aspnet_image"; then
    log "stand-in $aspnet_image (Debian 12 + .NET runtimes $runtime_version from $dotnet_root)"
    stage="$work/stage-aspnet"
    rm -rf "$stage"; cp -a "$work/rootfs" "$stage"; rm -f "$stage/.complete"
    mkdir -p "$stage/usr/share/dotnet/shared"
    cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root"/LICENSE.txt "$dotnet_root"/ThirdPartyNotices.txt "$stage/usr/share/dotnet/"
    cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$stage/usr/share/dotnet/shared/"
    ln -sf /usr/share/dotnet/dotnet "$stage/usr/bin/dotnet"
    import_image "$aspnet_image" "$stage" "ENV ASPNETCORE_HTTP_PORTS=8080"
    rm -rf "$stage"
  fi
  if [ "${REBUILD_STANDINS:-0}" = "1" ] || ! have_image "$sdk_image"; then
    log "stand-in $sdk_image (Debian 12 + .NET SDK $sdk_version from $dotnet_root)"
    stage="$work/stage-sdk"
    rm -rf "$stage"; cp -a "$work/rootfs" "$stage"; rm -f "$stage/.complete"
    mkdir -p "$stage/usr/share"
    cp -a "$dotnet_root" "$stage/usr/share/dotnet"
    ln -sf /usr/share/dotnet/dotnet "$stage/usr/bin/dotnet"
    # CA certificates this machine trusts and Debian's bundle lacks (here: the egress proxy's), as
    # local CAs of the stand-in; only in the local image, never in the repository.
    tmp=$(mktemp -d)
    awk -v d="$tmp" '/-----BEGIN CERTIFICATE-----/{n++; on=1} on{print > (d "/host-" n ".pem")} /-----END CERTIFICATE-----/{on=0}' \
      /etc/ssl/certs/ca-certificates.crt
    grep -v -e '-----' "$stage/etc/ssl/certs/ca-certificates.crt" | sort -u >"$tmp/known"
    mkdir -p "$stage/usr/local/share/ca-certificates"
    extra=0
    for pem in "$tmp"/host-*.pem; do
      if ! grep -qxF "$(sed -n 2p "$pem")" "$tmp/known"; then
        extra=$((extra + 1)); cp "$pem" "$stage/usr/local/share/ca-certificates/host-extra-$extra.crt"
      fi
    done
    rm -rf "$tmp"
    [ "$extra" -gt 0 ] && chroot "$stage" update-ca-certificates >/dev/null
    echo "   $extra CA certificate(s) of this machine added to the sdk stand-in"
    sdk_env=("ENV DOTNET_SDK_VERSION=$sdk_version" "ENV DOTNET_NOLOGO=true" "ENV DOTNET_CLI_TELEMETRY_OPTOUT=1"
             "ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false" "ENV DOTNET_USE_POLLING_FILE_WATCHER=true")
    [ -n "${NUGET_CERT_REVOCATION_MODE:-}" ] && sdk_env+=("ENV NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE")
    import_image "$sdk_image" "$stage" "${sdk_env[@]}"
    rm -rf "$stage"
  fi
fi
"$docker" image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E '^mcr.microsoft.com/dotnet/' || true

# ------------------------------------------------------------------------------------------ 3. image
log "docker build -f docker/Dockerfile --build-arg TORCH_BACKEND=cpu -t $image $repo"
build_start=$SECONDS
"$docker" build --progress=plain -f "$repo/docker/Dockerfile" --build-arg TORCH_BACKEND=cpu -t "$image" "$repo"
log "built $image in $((SECONDS - build_start)) s; size $("$docker" image inspect "$image" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"

# ------------------------------------------------------------------------------------------ 4. check (--check)
if [ "$check" = "1" ]; then
  name=verlorleans-check
  "$docker" rm -f "$name" >/dev/null 2>&1 || true
  log "docker run --network host $image (Localhost clustering) and GET http://127.0.0.1:5080/health"
  # The image listens on 0.0.0.0: without a token it refuses to start, as it should. One throwaway admin token.
  check_token=vo_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  "$docker" run -d --name "$name" --network host -e VERLORLEANS__AUTH__TOKENS__0__NAME=check -e VERLORLEANS__AUTH__TOKENS__0__ROLE=admin \
    -e VERLORLEANS__AUTH__TOKENS__0__HASH="sha256:$(printf '%s' "$check_token" | sha256sum | cut -d' ' -f1)" "$image" >/dev/null
  ok=0
  for _ in $(seq 90); do
    if [ "$(curl -fsS -m 5 http://127.0.0.1:5080/health 2>/dev/null)" = "Healthy" ]; then ok=1; break; fi
    sleep 1
  done
  "$docker" logs "$name" 2>&1 | tail -15
  "$docker" rm -f "$name" >/dev/null
  [ "$ok" = "1" ] && echo "GET /health: Healthy" || { echo "GET /health never answered Healthy" >&2; exit 1; }
fi
