#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image import of an OCI image shows its progress, bytes of layers
# applied out of the total, on one line rewritten with "\r", only when
# its stdout is a terminal (here a pty of script(1)); into a file or a
# pipe it writes no "\r" and no progress at all.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/oci-lib.sh"

setup_accounts
write_config
W=$T/work
busybox_layer "$W/base.tar" progress
fx bigtar "$W/big.tar" big 5000 16
oci_layout "$W/img" img "$W/base.tar" "$W/big.tar"
# "12345 / 67890", "1.2 MiB/80 MiB", "12/80 MB": a number, a unit or
# none, "/", a number.
BYTES='[0-9]+(\.[0-9]+)? ?([kKMGT]i?B|B|bytes)? ?/ ?[0-9]'

printf -v cmd '%q ' "$MELEE_IMAGE" --config "$CONF" --no-up import tty "oci:$W/img"
timeout 300 script -qec "$cmd" "$W/typescript" > "$W/tty.out" 2>&1
is "$?" 0 "import on a terminal (script's pty) succeeds"
# The pty turns each "\n" into "\r\n": the other "\r"s are the rewrites.
sed 's/\r$//' "$W/tty.out" > "$W/tty.lines"
ok "$(grep -q $'\r' "$W/tty.lines"; echo $?)" "on a terminal a line is rewritten with \\r"
like "$(tr '\r' '\n' < "$W/tty.lines")" "$BYTES" "the progress shows bytes applied / total"
like "$(cat "$W/tty.out")" "melee-image: tty: registered in " "and the import reports the registration"
[ -e "$T/etc/images.d/tty.conf" ] || sed 's/^/#   /' "$W/tty.out" | head -5

run mi --no-up import file "oci:$W/img"
is "$rc" 0 "import with stdout not a terminal succeeds"
ok "$(printf '%s' "$out" | grep -q $'\r'; [ $? -eq 1 ]; echo $?)" "not on a terminal: no \\r in its output"
unlike "$out" "$BYTES" "and no progress line"
like "$out" "melee-image: file: registered in " "only its messages"
mi --no-up import pipe "oci:$W/img" 2>&1 | cat > "$W/pipe.out"
ok "$(grep -q $'\r' "$W/pipe.out"; [ $? -eq 1 ]; echo $?)" "into a pipe: no \\r either"
ok "$( [ -e "$T/etc/images.d/pipe.conf" ]; echo $?)" "and that import registers too"
done_testing
