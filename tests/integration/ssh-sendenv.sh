#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A client's SendEnv MELEE_IMAGE (accepted by AcceptEnv) chooses nothing
# (sshd opens the session before it reads the client's variables) and
# does not survive into a host session either: pam_melee sets
# MELEE_IMAGE empty there, and sshd's do_setup_env copies the PAM
# environment over the client's variables.  A real sshd with
# AcceptEnv MELEE_IMAGE.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_logins
add_image demo
add_image other
mm up demo other >/dev/null
bind_etc_melee
start_sshd "AcceptEnv MELEE_IMAGE"
key() { MELEE_IMAGE=other "${SSH[@]}" -o SendEnv=MELEE_IMAGE -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
probe='printf "[%s] " "${MELEE_IMAGE-unset}"; cat /marker 2>/dev/null || echo host'

run key alice@127.0.0.1 "$probe"
is "$rc:$out" "0:[] host" "alice with SendEnv MELEE_IMAGE=other: the host, and MELEE_IMAGE is empty (the client's value replaced)"
run key alice+demo@127.0.0.1 "$probe"
is "$rc:$out" "0:[demo] melee-fixture:demo" "alice+demo with SendEnv MELEE_IMAGE=other: image demo, MELEE_IMAGE=demo"
out=$(MELEE_IMAGE=x "${SSH[@]}" -o SendEnv=NOT_ACCEPTED -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" alice@127.0.0.1 "$probe" < /dev/null 2>&1); rc=$?
is "$rc:$out" "0:[] host" "without SendEnv: MELEE_IMAGE empty on the host too"
done_testing
