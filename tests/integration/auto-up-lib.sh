# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the auto-up tests: the built melee-mounts at the fixed path
# pam_melee, melee and the SPANK plugin run (configure's sbindir), through
# an overlay on that directory that exists only in this namespace, behind
# a wrapper that records what the helper got.  Source after tests/lib.sh.

# The path compiled into the callers (MELEE_MOUNTS_PATH in Makefile.am).
AUTO_UP_PATH=$(grep -ao '/[[:alnum:]/._+-]*/melee-mounts' "$top_builddir/tools/melee/melee" | head -n 1)
# What the helper saw, one file per run: its environment (NUL-separated
# as exec gave it), real uid, umask, cwd and arguments; and in .proc its
# pid, session id, file size limit (ulimit -f), address space limit
# (ulimit -v) and nice value; in .cgroup its cgroup v2 path; in .sched
# its scheduling policy, I/O class and CPU mask; in .oom its
# oom_score_adj; in .pers its personality (hex, /proc/PID/personality).  While the
# file $AUTO_UP_SEEN/pause exists the helper waits, holding the lock
# melee-mounts takes, before it runs melee-mounts (a test freezes things
# meanwhile); then, while $AUTO_UP_SEEN/chatter exists, it writes 100
# lines to its stderr (the pipe to its caller) before it runs it.
AUTO_UP_SEEN=$T/work/auto-up-seen

# install_auto_up_helper: the wrapper at $AUTO_UP_PATH, then the real
# built melee-mounts.
install_auto_up_helper() {
	local dir=${AUTO_UP_PATH%/*} up=$T/auto-up-upper wk=$T/auto-up-work
	[ -n "$AUTO_UP_PATH" ] || { echo "Bail out! no melee-mounts path in the built melee"; exit 1; }
	[ -d "$dir" ] || shared_mkdir "$dir"
	mkdir -p "$up" "$wk" "$AUTO_UP_SEEN"
	chmod 755 "$AUTO_UP_SEEN"
	mount -t overlay melee-test-sbin -o "lowerdir=$dir,upperdir=$up,workdir=$wk" "$dir" || {
		echo "Bail out! cannot put an overlay on $dir"; exit 1; }
	install -m 755 "$MELEE_MOUNTS" "$dir/melee-mounts.real"
	cat > "$AUTO_UP_PATH" <<W
#!/bin/sh
f=$AUTO_UP_SEEN/\$\$
cat /proc/\$\$/environ > "\$f.env"
{ id -ru; umask; pwd; echo "\$*"; } > "\$f.info"
echo "\$\$ \$(awk '{ print \$6 }' /proc/\$\$/stat) \$(ulimit -f) \$(ulimit -v) \$(nice)" > "\$f.proc"
sed -n 's/^0:://p' /proc/\$\$/cgroup > "\$f.cgroup"
cat /proc/\$\$/oom_score_adj > "\$f.oom"
cat /proc/\$\$/personality > "\$f.pers"
echo "\$(chrt -p \$\$ | sed -n 's/.*policy: //p') \$(ionice -p \$\$) \$(taskset -p \$\$ | sed 's/.*: //')" > "\$f.sched"
[ -e $AUTO_UP_SEEN/pause ] && flock /run/melee/lock sh -c 'while [ -e $AUTO_UP_SEEN/pause ]; do sleep 0.05; done'
if [ -e $AUTO_UP_SEEN/chatter ]; then
	i=0; while [ \$i -lt 100 ]; do echo "helper line \$i" >&2; i=\$((i + 1)); done
	echo done > $AUTO_UP_SEEN/chatter
fi
exec $dir/melee-mounts.real "\$@"
W
	chmod 755 "$AUTO_UP_PATH"
}

# auto_up_runs: how many times the helper ran.
auto_up_runs() { ls "$AUTO_UP_SEEN" | grep -c '\.info$'; }

# auto_up_setup [LINES]: the namespace's syslog, accounts and
# homes, a private /tmp as the working directory, melee.conf with LINES
# in its [melee] section, image demo, melee and the helper wrapper.
auto_up_setup() {
	private_syslog
	setup_accounts
	setup_home
	private_dir /tmp 1777
	cd /tmp || exit 1
	write_config "$@"
	add_image demo "description = Demo image"
	install_melee
	install_auto_up_helper
}
