# Helpers for the PAM and NSS tests: shadow entries with a known password,
# a nsswitch.conf with 'melee', the NSS module where programs find it,
# and a pam.d of the test's own.  Source after tests/lib.sh.

PAM_MELEE=$top_builddir/pam_melee/.libs/pam_melee.so
NSS_DIR=$top_builddir/nss_melee/.libs
HARNESS=$top_builddir/tests/pam-harness
PASSWORD=melee-secret

# setup_nss: shadow (alice and bob with $PASSWORD), nsswitch.conf with
# melee, and libnss_melee.so.2 in the system library directory through an
# overlay that exists only in this namespace (setuid su and login ignore
# LD_LIBRARY_PATH).
setup_nss() {
	local hash libdir
	hash=$(openssl passwd -6 -salt meleetest "$PASSWORD")
	{
		echo "alice:$hash:19000:0:99999:7:::"
		echo "bob:$hash:19000:0:99999:7:::"
		grep -v '^\(alice\|bob\):' /etc/shadow
	} > "$T/work/shadow"
	chmod 640 "$T/work/shadow"; chgrp shadow "$T/work/shadow" 2>/dev/null
	mount --bind "$T/work/shadow" /etc/shadow
	printf 'passwd: files melee\ngroup: files melee\nshadow: files melee\nhosts: files\n' > "$T/work/nsswitch.conf"
	mount --bind "$T/work/nsswitch.conf" /etc/nsswitch.conf
	libdir=$(dirname "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null || ls /lib/*/libc.so.6 | head -1)")
	mkdir -p "$T/nss-upper" "$T/nss-work"
	cp "$NSS_DIR/libnss_melee.so.2" "$T/nss-upper/"
	mount -t overlay overlay -o "lowerdir=$libdir,upperdir=$T/nss-upper,workdir=$T/nss-work" "$libdir"
}

# pam_service NAME LINES: a service file in $T/pam.d (for the harness).
pam_service() {
	mkdir -p "$T/pam.d"
	printf '%s\n' "$2" > "$T/pam.d/$1"
}
