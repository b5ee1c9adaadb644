#!/bin/sh
# The packaging test (ctest packaging_install): validates the desktop entry and
# metainfo, installs the build into a temporary prefix with `cmake --install`,
# checks every file the .deb should hold is there, runs the installed programs
# on the installed demo (no path into the checkout or build tree), and checks
# each library they link comes from a package in the .deb's Depends.
#   packaging/check-install.sh BUILD_DIR RUNTIME,PACKAGES
set -eu
build=$1
runtime=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/usr
id=org.poslab.PosLab

desktop-file-validate "$here/$id.desktop"
appstreamcli validate --no-net --strict "$here/$id.metainfo.xml" >"$tmp/appstream.log" ||
  { cat "$tmp/appstream.log"; exit 1; }
cmake --install "$build" --prefix "$prefix" >/dev/null

for f in bin/poslab bin/poslab-cli lib/poslab/libposlab_spm.so \
  share/poslab/demo/poslab-demo-llama/config.json share/poslab/demo/heldout.jsonl.gz \
  share/poslab/cluster/poslab-torchrun.sh share/poslab/cluster/poslab-distill.sbatch \
  share/applications/$id.desktop share/metainfo/$id.metainfo.xml share/doc/poslab/copyright \
  share/icons/hicolor/scalable/apps/$id.svg share/man/man1/poslab-cli.1.gz share/man/man1/poslab.1.gz; do
  [ -s "$prefix/$f" ] || { echo "check-install: $f: not installed" >&2; exit 1; }
done
for size in 16 24 32 48 64 128 256; do
  png=$prefix/share/icons/hicolor/${size}x$size/apps/$id.png
  # A PNG's IHDR: width and height, big-endian, at bytes 16 and 20.
  dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
  [ "$(od -An -c -j1 -N3 "$png" | tr -d ' ')" = PNG ] && [ "$dims" = "${size}x$size" ] ||
    { echo "check-install: $png: not a ${size}x$size PNG ($dims)" >&2; exit 1; }
done
# The man pages name their program and render without groff warnings;
# poslab-cli's documents every subcommand.
for program in poslab poslab-cli; do
  page=$prefix/share/man/man1/$program.1.gz
  name=$(LC_ALL=C.UTF-8 MANWIDTH=200 man --warnings -E UTF-8 -l "$page" 2>"$tmp/man.log" | awk '/^NAME/ {getline; print $1}')
  [ "$name" = "$program" ] || { echo "check-install: $page: NAME is '$name'" >&2; exit 1; }
  [ ! -s "$tmp/man.log" ] || { cat "$tmp/man.log"; exit 1; }
done
for command in info tokenize sweep attention train make-demo; do
  zcat "$page" | grep -q "^\.SS $command\$" || { echo "check-install: $page: no $command" >&2; exit 1; }
done

# The installed programs on the installed demo; the CLI's tokenize loads the
# installed sentencepiece shim, and the GUI, given no MODEL, finds the demo
# beside its bin/ and sweeps 2 examples offscreen.
unset POSLAB_SPM_SHIM
demo=$prefix/share/poslab/demo
"$prefix/bin/poslab-cli" info "$demo/poslab-demo-llama" >"$tmp/info.txt"
grep -q llama "$tmp/info.txt" || { cat "$tmp/info.txt"; exit 1; }
"$prefix/bin/poslab-cli" tokenize "$demo/poslab-demo-llama" --text "Query: Remi" --json | grep -q '"ids"'
mkdir -m 700 "$tmp/runtime"
QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_RUNTIME_DIR=$tmp/runtime \
  "$prefix/bin/poslab" --view sweep --limit 2 --screenshot "$tmp/shot.png"
[ -s "$tmp/shot.png" ]
grep -rqF "\"$demo/heldout.jsonl.gz\"" "$tmp/data" ||
  { echo "check-install: the GUI's sweep did not use $demo/heldout.jsonl.gz" >&2; exit 1; }

# Every library the installed binaries link comes from a package in Depends.
for elf in "$prefix/bin/poslab" "$prefix/bin/poslab-cli" "$prefix/lib/poslab/libposlab_spm.so"; do
  ldd "$elf" >"$tmp/ldd.txt"
  for lib in $(objdump -p "$elf" | awk '$1 == "NEEDED" {print $2}'); do
    # "libx.so.1 => /path (addr)", or "/path/ld-linux....so.2 (addr)" for the loader.
    path=$(awk -v lib="$lib" '$1 == lib {print $3} substr($1, length($1) - length(lib)) == "/" lib {print $1}' \
      "$tmp/ldd.txt")
    echo "$elf $lib $(basename "$(dirname "$path")")"
  done
done >"$tmp/needed.txt"
# By folder and name, as dpkg may record /lib/... where ldd shows /usr/lib/...
# (usrmerge); one query for all, as each takes a while.
dpkg-query -S $(awk '{print "*/" $3 "/" $2}' "$tmp/needed.txt" | sort -u) >"$tmp/owners.txt" 2>/dev/null || true
while read -r elf lib dir; do
  package=$(awk -v end="/$dir/$lib" 'substr($NF, length($NF) - length(end) + 1) == end {sub(/:.*/, "", $1); print $1; exit}' \
    "$tmp/owners.txt")
  case ",$runtime," in
  *",$package,"*) ;;
  *) echo "check-install: $elf needs $lib (in $dir), from package '$package': not in debian-packages.txt's runtime part" >&2
    exit 1 ;;
  esac
done <"$tmp/needed.txt"
echo "check-install: ok"
