#!/bin/sh
# Runs a test against a real, private Secret Service: its own D-Bus session bus
# (dbus-run-session) and its own gnome-keyring-daemon, with HOME and the XDG folders in a
# temporary directory, so the user's own keyring is never read or written.
#
#   tests/app/run_with_keyring.sh build/bin/test_credential_store [QTest arguments...]
#
# The login keyring is created and unlocked with a throw-away password read from stdin,
# so nothing prompts. The test finds TRIBUTARY_PRIVATE_KEYRING=1 in its environment and
# refuses to run without it. Needs (Debian): dbus-daemon (dbus-run-session), dbus-bin
# (dbus-send), gnome-keyring, and libsecret-1-0, which QtKeychain loads at run time.
set -eu

if [ "$#" -lt 1 ]; then
    echo "usage: $0 TEST_BINARY [ARGUMENTS...]" >&2
    exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: $tool is not installed (Debian: dbus-daemon, dbus-bin, gnome-keyring)" >&2
        exit 1
    fi
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tributary-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
mkdir -m 700 "$scratch/home" "$scratch/runtime"
export HOME="$scratch/home"
export XDG_DATA_HOME="$scratch/home/.local/share"
export XDG_CONFIG_HOME="$scratch/home/.config"
export XDG_CACHE_HOME="$scratch/home/.cache"
export XDG_RUNTIME_DIR="$scratch/runtime"
export TRIBUTARY_PRIVATE_KEYRING=1
# Nothing may reach the user's session: no inherited bus, no display to autolaunch one on.
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL

# Inside the private session: start the keyring unlocked, wait until it owns the Secret
# Service name (otherwise the bus would activate a second, locked daemon), run the test,
# then stop the keyring before the bus goes away.
status=0
dbus-run-session -- sh -c '
    printf "%s" "tributary-test-password" \
        | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
    keyring=$!
    tries=0
    until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
            | grep -q "boolean true"; do
        tries=$((tries + 1))
        if [ "$tries" -ge 100 ] || ! kill -0 "$keyring" 2>/dev/null; then
            echo "run_with_keyring.sh: gnome-keyring-daemon did not start its Secret Service" >&2
            kill "$keyring" 2>/dev/null || true
            exit 1
        fi
        sleep 0.05
    done
    status=0
    "$@" || status=$?
    kill "$keyring" 2>/dev/null || true
    wait "$keyring" 2>/dev/null || true
    exit "$status"
' run_with_keyring "$@" || status=$?
exit "$status"
