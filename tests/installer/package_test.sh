#!/usr/bin/env bash
# Builds the .deb with cpack from the current build tree and checks what it installs:
# the three binaries, the desktop entry and the SVG icon, the node's systemd unit and
# example policy, and a valid control file.
set -euo pipefail
build_dir=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

(cd "$build_dir" && cpack --config CPackConfig.cmake -B "$out" >"$out/cpack.log" 2>&1) || {
  cat "$out/cpack.log"; echo "FAIL: cpack failed"; exit 1; }
deb=$(ls "$out"/*.deb)
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/tributary ./usr/bin/tributary-node ./usr/bin/tributary-coordinator \
            ./usr/share/applications/org.tributary.Tributary.desktop \
            ./usr/share/icons/hicolor/scalable/apps/tributary.svg \
            ./usr/lib/systemd/system/tributary-node.service \
            ./usr/share/doc/tributary/examples/node-policy.example.json \
            ./usr/share/doc/tributary/examples/node.example.json; do
  if ! grep -q " $path\$" <<<"$contents"; then
    echo "$contents"
    echo "FAIL: $path is not in $(basename "$deb")"
    exit 1
  fi
done
control=$(dpkg-deb -f "$deb" Package Version Depends)
grep -q '^Package: tributary$' <<<"$control" || { echo "$control"; echo "FAIL: package name"; exit 1; }
grep -q 'libqt6widgets6' <<<"$control" || { echo "$control"; echo "FAIL: Depends lacks Qt Widgets"; exit 1; }
grep -q 'libqt6sql6-sqlite' <<<"$control" || { echo "$control"; echo "FAIL: Depends lacks the Qt SQLite driver"; exit 1; }
# The unit must parse; systemd-analyze is on most machines that would run it.
if command -v systemd-analyze >/dev/null; then
  unit_dir=$(mktemp -d)
  dpkg-deb -x "$deb" "$unit_dir"
  if ! errors=$(systemd-analyze verify "$unit_dir/usr/lib/systemd/system/tributary-node.service" 2>&1 \
        | grep -v -e 'Command /usr/bin/tributary-node is not executable' -e 'No such file or directory' \
                  -e 'not found' -e '^$'); then
    errors=""
  fi
  rm -rf "$unit_dir"
  [[ -z "$errors" ]] || { echo "$errors"; echo "FAIL: tributary-node.service does not verify"; exit 1; }
fi
echo "PASS: $(basename "$deb") installs the binaries, the desktop entry, the icon and the node service"
