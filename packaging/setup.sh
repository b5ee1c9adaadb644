#!/usr/bin/env bash
# The README's Quick-start commands:
#   packaging/setup.sh demo   install what is missing, build, run the main job on the bundled default
#   packaging/setup.sh test   install what is missing, build, run the whole test suite (.ci/run calls this)
#   packaging/setup.sh deb    install what is missing, build, make the .deb (BUILD_DIR/poslab_<version>_<arch>.deb)
# Options via environment: BUILD_DIR (default build), JOBS (default: all cores),
# POSLAB_BUILD_GUI=OFF for a core + CLI build (GPU servers).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"
case "$mode" in demo|test|deb) ;; *) echo "usage: packaging/setup.sh demo|test|deb" >&2; exit 2 ;; esac

# 1. Debian packages: install only the missing ones (the list lives in one place).
mapfile -t wanted < <(grep -v '^\s*#' packaging/debian-packages.txt | awk 'NF {print $1}')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Build.
build="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc)}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPOSLAB_BUILD_GUI="${POSLAB_BUILD_GUI:-ON}" >/dev/null
cmake --build "$build" -j "$jobs"

# 3. Run.
if [ "$mode" = test ]; then
  ctest --test-dir "$build" --output-on-failure -j 2
  exit
fi
if [ "$mode" = deb ]; then # CPack, set up in packaging/CMakeLists.txt
  (cd "$build" && cpack -G DEB)
  exit
fi
# The bundled demo (resources/demo/, built by poslab-cli make-demo): the GUI when
# there is a display, else a sweep of its held-out data in the terminal.
model="resources/demo/poslab-demo-llama"
data="resources/demo/heldout.jsonl.gz"
if [ -x "$build/bin/poslab" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec "$build/bin/poslab"
fi
cli="$build/bin/poslab-cli"
"$cli" info "$model"
echo
out="$(mktemp -d)/demo-sweep"
echo "setup: no display; sweeping the demo's first ${DEMO_EXAMPLES:-50} held-out examples over all 20 positions into $out"
"$cli" sweep --model "$model" --data "$data" --limit "${DEMO_EXAMPLES:-50}" --out "$out"
