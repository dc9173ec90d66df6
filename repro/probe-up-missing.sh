#!/bin/bash
# auto-up of a directory image whose tree is gone (removed, renamed for
# maintenance): what does the user-triggered up make?
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
. "$top_srcdir/tests/integration/auto-up-lib.sh"
auto_up_setup "auto-up = yes"
mv "$IMAGES/demo" "$IMAGES/demo.away"
run as alice "$MELEE" demo true
echo "# rc=$rc out=$out"
ls -la "$IMAGES" | sed 's/^/# /'
grep " $IMAGES" /proc/self/mountinfo | sed 's/^/# /'
ok "$([ ! -e "$IMAGES/demo" ]; echo $?)" "no image tree was made up"
done_testing
