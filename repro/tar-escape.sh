#!/bin/bash
# Attack: a tarball (content chosen by a user, copied by root to a safe
# place) whose entries try to write or link outside the partial tree:
# absolute/".." symlinks followed by entries through them, hard links
# through a symlink to a host file, ".." names.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
setup_accounts
write_config
mkdir -p "$T/site" "$T/outside"; chmod 755 "$T/site"
"$top_srcdir/tests/make-fixture-image" "$T/site/base" base >/dev/null
echo secret > "$T/outside/secret"; chmod 600 "$T/outside/secret"
python3 - "$T/site/base" "$T/work/evil.tar" "$T/outside" <<'PY'
import tarfile, sys, io, os
base, out, outside = sys.argv[1:4]
t = tarfile.open(out, "w", format=tarfile.GNU_FORMAT)
t.add(base, arcname=".")
def sym(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
def hard(name, target):
    i = tarfile.TarInfo(name); i.type = tarfile.LNKTYPE; i.linkname = target; t.addfile(i)
def f(name, data=b"pwned\n"):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
sym("abs", outside)
f("abs/written-through-abs")
sym("dd", "../../../../../../.." + outside)
f("dd/written-through-dd")
hard("hl-abs", "abs/secret")
hard("hl-dd", "dd/secret")
hard("hl-direct", outside + "/secret")
sym("rel", "tmp")
sym("tmp/x", "../../../../../../../.." + outside)
f("rel/x/through-chain")
t.close()
PY
run mi --no-up --trusted import evil "$T/work/evil.tar"
echo "# rc=$rc"; printf '# %s\n' "$out" | head -30
ls -la "$T/outside" | sed 's/^/# /'
ok "$(test ! -e "$T/outside/written-through-abs" && test ! -e "$T/outside/written-through-dd" && test ! -e "$T/outside/through-chain"; echo $?)" "nothing written outside"
n=$(stat -c %h "$T/outside/secret")
is "$n" 1 "no hard link made to the outside secret"
done_testing
