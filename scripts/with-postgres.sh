#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server.
#
#   scripts/with-postgres.sh .venv/bin/pytest [ARGS...]
#
# Creates a cluster in a temporary folder (trust authentication, superuser `postgres`),
# starts it on a free port of 127.0.0.1 with its unix socket inside that folder, creates the
# database `test`, exports TEST_DATABASE_URL, runs the command, then always stops the server
# and removes the folder. Exits with the command's status. Works as root: initdb refuses
# root, so the server then runs as the `postgres` OS user.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

find_pg_bin() {
    local dir
    for dir in ${PG_BIN:-} /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if ! PG_BIN=$(find_pg_bin); then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "with-postgres: PostgreSQL server not found, installing postgresql-15" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    fi
    PG_BIN=$(find_pg_bin) || {
        echo "with-postgres: no PostgreSQL server binaries (initdb, pg_ctl) found" >&2
        exit 1
    }
fi

# The OS user the server runs as: ourselves, or a non-root user when we are root.
as_server=()
if [ "$(id -u)" -eq 0 ]; then
    server_user=${PG_OS_USER:-postgres}
    if ! id "$server_user" >/dev/null 2>&1; then
        server_user=formwork-pg
        id "$server_user" >/dev/null 2>&1 ||
            useradd --system --no-create-home --shell /usr/sbin/nologin "$server_user"
    fi
    as_server=(runuser -u "$server_user" --)
fi

tmp=$(mktemp -d /tmp/formwork-pg.XXXXXX)
started=0
cleanup() {
    if [ "$started" -eq 1 ]; then
        "${as_server[@]}" "$PG_BIN/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/data" "$tmp/socket"
if [ "${#as_server[@]}" -gt 0 ]; then
    chown -R "$server_user" "$tmp"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${as_server[@]}" "$PG_BIN/initdb" -D "$tmp/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    exit 1
}

# Durability is of no use for a throw-away server: trade it for speed.
"${as_server[@]}" "$PG_BIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-p $port -k $tmp/socket -c listen_addresses=127.0.0.1 -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || {
    cat "$tmp/server.log" >&2
    exit 1
}
started=1

"$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/test"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $port" >&2

status=0
"$@" || status=$?
exit "$status"
