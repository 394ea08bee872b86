#!/usr/bin/env bash
# Builds the .deb with cpack from the current build tree and checks what it installs:
# the three binaries, the desktop entry and the SVG icon, and a valid control file.
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
            ./usr/share/icons/hicolor/scalable/apps/tributary.svg; do
  if ! grep -q " $path\$" <<<"$contents"; then
    echo "$contents"
    echo "FAIL: $path is not in $(basename "$deb")"
    exit 1
  fi
done
control=$(dpkg-deb -f "$deb" Package Version Depends)
grep -q '^Package: tributary$' <<<"$control" || { echo "$control"; echo "FAIL: package name"; exit 1; }
grep -q 'libqt6widgets6' <<<"$control" || { echo "$control"; echo "FAIL: Depends lacks Qt Widgets"; exit 1; }
echo "PASS: $(basename "$deb") installs the binaries, the desktop entry and the icon"
