#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the tests, as user postgres in a temporary folder, and
# prints two lines: its JDBC URL and the command that stops it. Needs the Debian package postgresql.
#   eval "$(bash .ci/postgres.sh)"   sets FLOTILLA_TEST_PG_URL and FLOTILLA_TEST_PG_STOP
set -euo pipefail
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PG_BIN" ]; then
  echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
DIR=$(mktemp -d /tmp/flotilla-pg.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres "$DIR"
as_postgres "$PG_BIN/initdb" -D "$DIR/data" -A trust -U postgres >"$DIR/initdb.log" 2>&1
for PORT in $(seq 55432 55462); do
  if as_postgres "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off" start >/dev/null 2>&1; then
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres flotilla_test
    echo "export FLOTILLA_TEST_PG_URL='jdbc:postgresql://127.0.0.1:$PORT/flotilla_test?user=postgres'"
    echo "export FLOTILLA_TEST_PG_STOP='$( [ "$(id -u)" = 0 ] && echo "runuser -u postgres -- ")$PG_BIN/pg_ctl -D $DIR/data -m fast stop && rm -rf $DIR'"
    exit 0
  fi
done
echo "postgres.sh: could not start PostgreSQL on a port in 55432-55462; see $DIR/server.log" >&2
exit 1
