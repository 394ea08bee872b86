#!/usr/bin/env bash
# Installs everything Tributary needs to build, test and run on Debian 12.
# Idempotent: packages already present are skipped, and apt is not touched at all
# when nothing is missing, so `./dev` stays fast after the first run.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # Qt 6: Core/Network/Sql/Widgets/Charts/Svg, the SQLite driver and the tools
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-charts-dev qt6-svg-dev libqt6opengl6-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-qpa-plugins libgl-dev
  # wire protocol and coordinator store
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libsqlite3-dev zlib1g-dev
  # compute engine: Vulkan loader, shader compiler, Mesa's CPU Vulkan driver (lavapipe)
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-tools
  # ONNX import and its conformance data, the training data set, OpenBLAS (benchmark reference)
  libonnx-dev libonnx-testdata dataset-fashion-mnist libopenblas-dev
  # GUI tests and screenshots; libXss, loaded at run time, for the user's idle time on X11
  xvfb xauth x11-utils libxss1
  # the coordinator token in the OS keychain (QtKeychain; libsecret loaded at run time), and
  # for its test a private session bus with GNOME Keyring
  qtkeychain-qt6-dev libsecret-1-0 gnome-keyring dbus-daemon dbus-bin
  # coordinator tests: TLS certificates, and a client on another gRPC implementation
  openssl python3-grpcio python3-protobuf
  # packaging
  dpkg-dev file
)

# One dpkg-query for all packages: this runs before every ./dev command. dpkg-query
# exits non-zero when any package is unknown to dpkg, which is the case we handle here.
installed=$( (dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true) \
  | awk '$NF == "installed" { print $1 }' | sed 's/:.*//')
missing=()
for p in "${packages[@]}"; do
  grep -qx "$p" <<<"$installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "deps-debian: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
