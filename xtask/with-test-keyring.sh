#!/bin/sh
# Runs a command inside a private D-Bus session with an unlocked GNOME Keyring (Secret Service),
# its data in a temporary directory: the real keyring backend, headless, and nothing of the
# user's own keyring touched. Used by `cargo xtask test`.
set -eu
keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/hwc-keyring.XXXXXX")
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home/data" XDG_CACHE_HOME="$keyring_home/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
exec_in_session='printf "hwc-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"'
dbus-run-session -- sh -c "$exec_in_session" sh "$@"
