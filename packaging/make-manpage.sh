#!/bin/sh
# Writes the man page of poslab-cli or poslab from the program's own --help, so
# the page cannot drift from the options the program really takes.
#   packaging/make-manpage.sh PROGRAM NAME OUT.1.gz     (the build runs it; needs help2man)
# For poslab-cli, every subcommand's --help becomes a subsection of COMMANDS.
set -eu
name=$2
out=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Run by name through PATH: the usage lines print argv[0], which must not be a
# path of the build machine. poslab needs no display for --help (it picks the
# offscreen platform itself).
PATH=$(cd "$(dirname "$1")" && pwd):$PATH
program=$(basename "$1")

# roff: a backslash is \e; a line starting with . or ' would be a request; a
# minus is \- (a plain - may print as a hyphen that cannot be pasted as an option).
roff() {
  sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"
}

{
  case "$program" in
  poslab-cli)
    echo "[COMMANDS]"
    echo "Each command's own \\-\\-help:"
    # The names listed under "Subcommands:" in the top-level help.
    "$program" --help | awk 'tolower($0) ~ /^subcommands:/ {on = 1; next} on && NF {print $1}' |
      while read -r command; do
        echo ".SS $command"
        echo ".nf"
        "$program" "$command" --help | roff
        echo ".fi"
      done
    echo "[FILES]"
    echo "share/poslab/demo/ under the install prefix (/usr/share/poslab/demo/ from the .deb):"
    echo "the bundled demo model (poslab-demo-llama/) and its held-out data (heldout.jsonl.gz)."
    echo "[SEE ALSO]"
    echo "poslab(1)"
    ;;
  *)
    echo "[SEE ALSO]"
    echo "poslab-cli(1)"
    ;;
  esac
} >"$work/include"

# NAME is the program's name (poslab --version says "PosLab 0.1.0"); help2man
# keeps non-ASCII characters (poslab-cli's dashes, ×) only in a UTF-8 locale.
version=$("$program" --version | awk '{print $NF; exit}')
help2man --locale=C.UTF-8 --no-info --name="$name" --version-string="$program $version" \
  --source="PosLab $version" --include="$work/include" --output="$work/page.1" "$program"
gzip -9n -c "$work/page.1" >"$out"
