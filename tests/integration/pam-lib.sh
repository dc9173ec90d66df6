# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the PAM and NSS tests: shadow entries with a known password,
# a nsswitch.conf with 'melee', the NSS module where programs find it,
# and a pam.d of the test's own.  Source after tests/lib.sh.

PAM_MELEE=$top_builddir/pam_melee/.libs/pam_melee.so
NSS_DIR=$top_builddir/nss_melee/.libs
HARNESS=$top_builddir/tests/pam-harness
PASSWORD=melee-secret

# setup_logins [CONFIG LINES...]: what a login test starts from: the
# test's accounts, homes and nsswitch.conf (with melee), and melee.conf.
setup_logins() {
	setup_accounts
	setup_home
	setup_nss
	write_config "$@"
}

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
	# Ours for the account databases; the host's for the rest (hosts:
	# dns, so that debootstrap still finds Debian's archive).
	{
		printf 'passwd: files melee\ngroup: files melee\nshadow: files melee\n'
		grep -Ev '^[[:space:]]*(passwd|group|shadow):' /etc/nsswitch.conf
	} > "$T/work/nsswitch.conf"
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

# private_pam_d: $T/pam.d, a copy of the host's, bound over /etc/pam.d
# (once); services written to $T/pam.d then or later (pam_service) are
# what every PAM program of this namespace reads.
PRIVATE_PAM_D=""
private_pam_d() {
	# Our own flag, not the mount table: a host may have a mount there.
	[ -z "$PRIVATE_PAM_D" ] || return 0
	mkdir -p "$T/pam.d"; cp -a /etc/pam.d/. "$T/pam.d/"
	mount --bind "$T/pam.d" /etc/pam.d && PRIVATE_PAM_D=1
}

# pam_setup [IMAGE...]: how a PAM test ends its setup, once its accounts,
# melee.conf and images (add_image) are written: the IMAGEs brought up,
# melee.conf bound at /etc/melee, private_pam_d.
pam_setup() {
	[ $# -eq 0 ] || ok_cmd "melee-mounts up $*" mm up "$@"
	bind_etc_melee
	private_pam_d
}

# start_sshd: a real sshd of the test's own on a free port of 127.0.0.1:
# host key, config and PID file under $T/ssh, PAM service sshd-melee
# (sshd's program name) with pam_unix and pam_melee (auth, for the notice
# keyboard-interactive shows; account; session), alice's key in her
# authorized_keys.  Each argument is one more sshd_config line.  Sets
# $port, $S and the SSH client command array.
start_sshd() {
	# sshd's privilege-separation directory (created only if missing).
	shared_mkdir /run/sshd 755
	S=$T/ssh
	mkdir -p "$S" "$T/bin"
	ssh-keygen -q -t ed25519 -N '' -f "$S/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$S/alice_key"
	mkdir -p /home/alice/.ssh
	cp "$S/alice_key.pub" /home/alice/.ssh/authorized_keys
	chown -R alice:alice /home/alice/.ssh; chmod 700 /home/alice/.ssh
	# The PAM service is sshd's program name: sshd-melee.
	ln -s "$(command -v sshd)" "$T/bin/sshd-melee"
	private_pam_d
	cat > "$T/pam.d/sshd-melee" <<-P
	auth     optional $PAM_MELEE
	auth     required pam_unix.so
	account  required pam_unix.so
	account  required $PAM_MELEE
	session  required pam_unix.so
	session  required $PAM_MELEE
	P
	# A port is ours only once our sshd says it listens there: a test
	# running in parallel may probe the same free port and bind it first.
	for port in $(seq 42200 42300); do
		(echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && continue
		cat > "$S/sshd_config" <<-C
		Port $port
		ListenAddress 127.0.0.1
		HostKey $S/host_key
		PidFile $S/sshd.pid
		UsePAM yes
		PasswordAuthentication yes
		KbdInteractiveAuthentication yes
		PermitRootLogin no
		LogLevel VERBOSE
		C
		[ $# -eq 0 ] || printf '%s\n' "$@" >> "$S/sshd_config"
		sshd_listening "$S/sshd_config" "$T/work/sshd.log" && break
	done

	SSH=(ssh -F /dev/null -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
		-o LogLevel=ERROR -o ConnectTimeout=10)
}

# sshd_listening CONFIG LOG [OPTION...]: starts our sshd with CONFIG (its
# Port and ListenAddress 127.0.0.1) and OPTIONs, log appended to LOG;
# true once it says it listens, else it is stopped and false (the port
# was taken meanwhile).
sshd_listening() {
	local conf=$1 log=$2 pid p i
	shift 2
	p=$(sed -n 's/^Port //p' "$conf")
	"$T/bin/sshd-melee" -f "$conf" -D -e "$@" 2>> "$log" &
	pid=$!
	for i in $(seq 1 100); do
		grep -q "Server listening on 127.0.0.1 port $p\." "$log" && { PIDS="$PIDS $pid"; return 0; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	return 1
}
