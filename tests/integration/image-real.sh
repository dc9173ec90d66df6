#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two real Debian releases side by side (bullseye and trixie, minbase,
# from Debian's archive, cached under /var/cache/melee-tests): each shows
# its own os-release, glibc and apt through melee; both share the same
# home and /tmp; a '#!.../bullseye bash' script runs with bullseye's bash.
. "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh" || exit 1
. "$top_srcdir/tests/integration/images-lib.sh"
. "$top_srcdir/tests/integration/pam-lib.sh"

setup_accounts
setup_home
setup_nss
private_dir /tmp 1777
write_config
image_ready bullseye bullseye
image_ready trixie trixie "" x11-apps,x11-utils
if grep -q "cache hit: bullseye" "$T/work/cache.log"; then
	! grep -q debootstrap "$T/work/image-bullseye.out"
	ok $? "with the cache present nothing is downloaded (imported, no debootstrap)"
fi
is "$(sed -n 's/^description = //p' "$T/etc/images.d/bullseye.conf")" "Debian GNU/Linux 11 (bullseye)" "registered with the description from its os-release"
is "$(cat "$IMAGES/bullseye/etc/debian_chroot")" "bullseye" "melee-image create wrote /etc/debian_chroot"
ok_cmd "melee-mounts up bullseye trixie" mm up bullseye trixie
install_melee bullseye trixie
export PATH=$T/bin:$PATH

cd /home/alice
b_os=$(as alice melee bullseye cat /etc/os-release | sed -n 's/^VERSION_CODENAME=//p')
t_os=$(as alice melee trixie cat /etc/os-release | sed -n 's/^VERSION_CODENAME=//p')
is "$b_os" "bullseye" "melee bullseye: bullseye's os-release"
is "$t_os" "trixie" "melee trixie: trixie's os-release"
b_libc=$(as alice melee bullseye ldd --version | head -1)
t_libc=$(as alice melee trixie ldd --version | head -1)
like "$b_libc" "GLIBC 2\.31" "bullseye's own glibc (2.31): $b_libc"
like "$t_libc" "GLIBC 2\.4[0-9]" "trixie's own glibc (2.4x): $t_libc"
like "$(as alice melee bullseye apt-get --version | head -1)" "^apt 2\.2\." "bullseye's apt 2.2"
like "$(as alice melee trixie apt-get --version | head -1)" "^apt 3\." "trixie's apt 3"

as alice sh -c 'echo "hello from the host" > /home/alice/shared.txt'
is "$(as alice melee bullseye cat /home/alice/shared.txt)" "hello from the host" "bullseye sees alice's home"
is "$(as alice melee trixie cat /home/alice/shared.txt)" "hello from the host" "trixie sees the same home"
as alice melee trixie sh -c 'echo written-in-trixie > /tmp/melee-real-$PPID'
f=$(ls /tmp/melee-real-* 2>/dev/null | head -1)
is "$(as alice melee bullseye cat "$f")" "written-in-trixie" "a file trixie wrote to /tmp is seen by bullseye"
rm -f "$f"
is "$(as alice melee bullseye pwd)" "/home/alice" "melee runs in the directory it was started from"

cat > /home/alice/which-bash.sh <<EOS
#!$T/bin/bullseye bash
echo "\$BASH_VERSION \$(. /etc/os-release; echo \$VERSION_CODENAME) \$*"
EOS
chown alice /home/alice/which-bash.sh; chmod 755 /home/alice/which-bash.sh
like "$(as alice /home/alice/which-bash.sh one 'two words')" "^5\.1\.[0-9]+\(1\)-release bullseye one two words$" "a '#!.../bullseye bash' script runs with bullseye's bash 5.1, arguments unchanged"

# And by ssh: alice+trixie and alice+bullseye land in their own release.
start_sshd
key() { "${SSH[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$S/alice_key" "$@" < /dev/null; }
out=$(key alice+trixie@127.0.0.1 '. /etc/os-release; echo "$VERSION_CODENAME"; ldd --version | head -1; cat /home/alice/shared.txt' 2>&1)
like "$out" "^trixie$" "ssh alice+trixie@127.0.0.1: trixie's os-release"
like "$out" "GLIBC 2\.4[0-9]" "and trixie's glibc"
like "$out" "^hello from the host$" "and the same home"
out=$(key alice+bullseye@127.0.0.1 '. /etc/os-release; echo "$VERSION_CODENAME"; ldd --version | head -1' 2>&1)
like "$out" "^bullseye$" "ssh alice+bullseye@127.0.0.1: bullseye's os-release"
like "$out" "GLIBC 2\.31" "and bullseye's glibc"
done_testing
