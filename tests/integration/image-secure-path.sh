#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# melee-image runs tar and debootstrap from the system's fixed PATH, not
# from the caller's (su without '-' keeps a user's PATH), and without the
# caller's TAR_OPTIONS or DEBOOTSTRAP_DIR, which would run someone else's
# code as root.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1

MELEE_IMAGE=$top_builddir/tools/melee-image/melee-image
mi() { "$MELEE_IMAGE" --config "$CONF" "$@"; }
setup_accounts
write_config

# A user's bin directory with a tar and a debootstrap that leave a mark.
evil=$T/evil
mkdir -p "$evil/dbs"
for prog in tar debootstrap; do
	printf '#!/bin/sh\ntouch %s/ran-%s\nexit 1\n' "$T/work" "$prog" > "$evil/$prog"
	chmod 755 "$evil/$prog"
done
printf 'touch %s/ran-debootstrap-dir\nexit 1\n' "$T/work" > "$evil/dbs/functions"
cp "$evil/tar" "$evil/checkpoint"; sed -i 's/ran-tar/ran-tar-options/' "$evil/checkpoint"

"$top_srcdir/tests/make-fixture-image" "$T/work/tree" t >/dev/null
tar -C "$T/work/tree" --numeric-owner -cpf "$T/work/t.tar" .
out=$(PATH="$evil:$PATH" mi --no-up import t "$T/work/t.tar" 2>&1); rc=$?
is "$rc" "0" "import with a planted tar first in PATH succeeds"
ok "$(test ! -e "$T/work/ran-tar"; echo $?)" "the planted tar was not run"
is "$(cat "$IMAGES/t/marker")" "melee-fixture:t" "the system's tar unpacked the image"
out=$(TAR_OPTIONS="--checkpoint=1 --checkpoint-action=exec=$evil/checkpoint" \
	mi --no-up import t2 "$T/work/t.tar" 2>&1); rc=$?
is "$rc:$(cat "$IMAGES/t2/marker")" "0:melee-fixture:t" "import with TAR_OPTIONS set succeeds"
ok "$(test ! -e "$T/work/ran-tar-options"; echo $?)" "TAR_OPTIONS was not honoured"

out=$(PATH="$evil:$PATH" mi create x --suite no-such-suite-xyz 2>&1); rc=$?
ok "$(test ! -e "$T/work/ran-debootstrap"; echo $?)" "create: the planted debootstrap was not run"
like "$out" "debootstrap: E: |\[1/7\]" "the system's debootstrap ran (exit $rc)"
out=$(DEBOOTSTRAP_DIR="$evil/dbs" mi create x --suite no-such-suite-xyz 2>&1); rc=$?
ok "$(test ! -e "$T/work/ran-debootstrap-dir"; echo $?)" "create: DEBOOTSTRAP_DIR was not honoured"
like "$out" "debootstrap: E: |\[1/7\]" "the system's debootstrap ran with its own scripts (exit $rc)"

# debootstrap runs perl as root (PERL5OPT=-MModule from PERL5LIB runs a
# user's code), tar runs compressors: of a caller's environment only a few
# harmless variables reach them.  strace shows every child's environment.
out=$(PERL5LIB="$evil/perl" PERL5OPT=-MMeleeEvil GZIP=-S.x \
	LANG=C.UTF-8 env 'BASH_FUNC_ls%%=() { :; }' \
	strace -f -qq -v -s 4096 -e trace=execve -e signal=none -o "$T/work/trace" \
	"$MELEE_IMAGE" --config "$CONF" create x --suite no-such-suite-xyz 2>&1); rc=$?
dbs=$(grep -m1 'execve("[^"]*debootstrap"' "$T/work/trace")
like "$dbs" "debootstrap" "create ran debootstrap (exit $rc)"
like "$dbs" '"LANG=C.UTF-8"' "debootstrap gets the caller's LANG"
like "$dbs" '"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"' "and the fixed PATH"
unlike "$dbs" "PERL5OPT|PERL5LIB|GZIP=|BASH_FUNC" "but no PERL5OPT, PERL5LIB, GZIP or exported function"
done_testing
