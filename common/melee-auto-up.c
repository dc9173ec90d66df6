/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auto-up: runs the installed melee-mounts up for an image that is not
 * prepared, the way pam_mkhomedir runs its helper (fixed path, clean
 * environment, waited for). */
#include "melee-auto-up.h"
#include "melee-enter.h"
#include "melee-safety.h"
#include "melee-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What melee_enter_image() would call "not prepared": the root missing
 * (a file image's mountpoint is created by up) or not up.  Anything
 * else (unsafe, unreadable) is for melee_enter_image() to refuse: up
 * would not make it safe. */
static bool needs_up(const struct melee_image *im)
{
	char err[MELEE_ERRLEN];
	cleanup_fd int fd = image_open_safely(im->path, 0, err, sizeof(err));

	if (fd < 0)
		return fd == -ENOENT;
	return melee_image_check_prepared(fd, im, err, sizeof(err)) == -ENXIO;
}

static void child_write(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));

	(void)n;
}

/* The child's last words, "WHAT: why", and its exit: write and _exit
 * are async-signal-safe (exec_helper). */
static _Noreturn void child_die(const char *what, int e, int status)
{
	child_write(what);
	child_write(strerrordesc_np(e));
	_exit(status);
}

/* The resource limits and priority of pid 1 (what melee-mounts has at
 * boot), not the caller's: the setuid melee's caller sets its own
 * (ulimit -f 1 would have SIGXFSZ kill melee-mounts in the middle of
 * writing, ulimit -v fail its allocations at a point of the caller's
 * choosing, nice 19 slow it down while it holds the lock every up and
 * down waits for), and pam_limits may have set the user's in the login
 * process.  Where pid 1's cannot be read, the limits that can cut a
 * write or a run short are lifted; if one of those cannot be set (no
 * CAP_SYS_RESOURCE to raise a hard limit the caller lowered), its
 * -errno: the helper is not run rather than run to be cut short.
 * prlimit and setrlimit are system calls: async-signal-safe. */
static int reset_limits(void)
{
	const struct rlimit none = { RLIM_INFINITY, RLIM_INFINITY };
	int failed = 0;

	for (int r = 0; r < RLIM_NLIMITS; r++) {
		enum __rlimit_resource res = (enum __rlimit_resource)r;
		bool must =
		    r == RLIMIT_FSIZE || r == RLIMIT_CPU || r == RLIMIT_DATA || r == RLIMIT_AS;
		struct rlimit l;
		int set;

		if (prlimit(1, res, NULL, &l) == 0)
			set = setrlimit(res, &l);
		else
			set = must ? setrlimit(res, &none) : 0;
		if (set < 0 && must && !failed)
			failed = -errno;
	}
	setpriority(PRIO_PROCESS, 0, 0);
	return failed;
}

/* The caller's scheduling too: SCHED_IDLE (chrt --idle), the idle I/O
 * class (ionice -c3) or one CPU would slow the helper down as nice 19
 * would.  The defaults: SCHED_OTHER, I/O priority from the nice value,
 * every CPU the cgroup allows. */
static void reset_scheduling(void)
{
	const struct sched_param none = { 0 };
	cpu_set_t all;

	sched_setscheduler(0, SCHED_OTHER, &none);
	syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, 0);
	memset(&all, 0xff, sizeof(all));
	sched_setaffinity(0, sizeof(all), &all);
}

/* oom_score_adj 0, not the caller's: a user who set 1000 on themselves
 * would have the OOM killer pick melee-mounts while it holds the lock,
 * leaving the image half up.  -errno when it cannot be written: as for
 * the limits, the helper is not run rather than run to be cut short (as
 * root it can always lower the value; what fails is a missing /proc).
 * open, write and close: async-signal-safe. */
static int reset_oom_score(void)
{
	cleanup_fd int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, "0", 1) != 1)
		return -errno;
	return 0;
}

/* The cgroup v2 path of `pid` (the "0::" line of /proc/PID/cgroup) into
 * path[len]: 1, or 0 when there is no such line (a kernel without cgroup
 * v2), or a negative errno when the file cannot be read whole.  Read
 * into the stack: a failed allocation must not pass for "no cgroup"
 * (the caller's memory limits are the caller's to set). */
static int cgroup2_of(const char *pid, char *path, size_t len)
{
	char file[64], buf[8192];
	cleanup_fd int fd = -1;
	size_t have = 0;
	ssize_t n;

	snprintf(file, sizeof(file), "/proc/%s/cgroup", pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		have += (size_t)n;
		if (have == sizeof(buf) - 1)
			return -EFBIG;
	}
	buf[have] = '\0';
	for (char *l = buf; *l;) {
		char *end = strchrnul(l, '\n');

		if (strncmp(l, "0::", 3) == 0) {
			if ((size_t)(end - l - 3) >= len)
				return -ENAMETOOLONG;
			memcpy(path, l + 3, (size_t)(end - l - 3));
			path[end - l - 3] = '\0';
			return 1;
		}
		l = *end ? end + 1 : end;
	}
	return 0;
}

/* Where this mount namespace has the cgroup v2 hierarchy, where systemd
 * mounts it (/sys/fs/cgroup, or /sys/fs/cgroup/unified beside the v1
 * controllers), or NULL: statfs says what file system is there. */
static const char *cgroup2_mount(void)
{
	static const char *const where[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs sfs;

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (statfs(where[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
			return where[i];
	return NULL;
}

/* Moves *fd above 0, 1 and 2 (still close-on-exec): the setuid caller may
 * have closed its standard fds, and the helper's dup2 onto them of an fd
 * that already is one would keep it close-on-exec, or put the pipe where
 * stdin belongs.  0, or -1 with errno. */
static int fd_above_stdio(int *fd)
{
	int high;

	if (*fd > 2)
		return 0;
	high = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (high < 0)
		return -1;
	melee_fd_replace(fd, high);
	return 0;
}

/* pid 1's cgroup.procs, open for writing, into *fd (above 2,
 * close-on-exec). */
static int open_procs(const char *procs, int *fd, char *err, size_t errlen)
{
	cleanup_fd int f = open(procs, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	struct statfs sfs;

	if (f < 0)
		return melee_fail(err, errlen, -errno, "cannot open %s: %s", procs,
				  strerror(errno));
	if (fstatfs(f, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
		return melee_fail(err, errlen, -EINVAL, "%s is not on a cgroup v2 file system",
				  procs);
	if (fd_above_stdio(&f) < 0)
		return melee_fail(err, errlen, -errno, "cannot open %s: %s", procs,
				  strerror(errno));
	*fd = melee_steal_fd(&f);
	return 0;
}

/* The helper must not stay in the caller's cgroup: on a systemd host a
 * user owns (is delegated) the cgroup of every program started from
 * their desktop or `systemd-run --user`, and could write 1 to its
 * cgroup.freeze while melee-mounts holds the lock every up and down at
 * boot and at every login waits for.  The helper moves itself into pid
 * 1's cgroup, which only root can write.  0 with *fd the open
 * cgroup.procs of pid 1's cgroup for the child to write to, or -1 when
 * there is nothing to move from (the caller already in pid 1's cgroup
 * v2 cgroup, as every process is where no v2 hierarchy is in use); a
 * negative errno when the move is needed and impossible (no v2
 * hierarchy mounted here, pid 1's cgroup outside this cgroup namespace,
 * or its cgroup.procs not writable), with a message in err. */
static int open_pid1_cgroup(int *fd, char *err, size_t errlen)
{
	char mine[4096], init[4096], shown[2][200];
	cleanup_free char *procs = NULL;
	const char *mnt;
	int rm = cgroup2_of("self", mine, sizeof(mine)), ri = cgroup2_of("1", init, sizeof(init));

	*fd = -1;
	if (rm < 0 || ri < 0)
		return melee_fail(err, errlen, rm < 0 ? rm : ri, "cannot read the cgroup of %s: %s",
				  rm < 0 ? "the caller" : "pid 1", strerror(rm < 0 ? -rm : -ri));
	if (rm == 0 || ri == 0 || strcmp(mine, init) == 0)
		return 0;
	/* A user names the cgroups below a delegated one: shown printable. */
	melee_shown(mine, 150, shown[0], sizeof(shown[0]));
	melee_shown(init, 150, shown[1], sizeof(shown[1]));
	mnt = cgroup2_mount();
	if (!mnt)
		return melee_fail(err, errlen, -ENOENT,
				  "the caller is in cgroup %s, and no cgroup v2 hierarchy is "
				  "mounted here to move the helper into pid 1's (%s)",
				  shown[0], shown[1]);
	if (strncmp(init, "/..", 3) == 0 || strstr(init, "/../"))
		return melee_fail(err, errlen, -EPERM,
				  "pid 1's cgroup (%s) is outside this cgroup namespace", shown[1]);
	if (asprintf(&procs, "%s%s/cgroup.procs", mnt, strcmp(init, "/") == 0 ? "" : init) < 0) {
		procs = NULL;
		return melee_fail(err, errlen, -ENOMEM, "out of memory");
	}
	return open_procs(procs, fd, err, errlen);
}

/* The forked child: async-signal-safe calls only (slurmstepd and sshd
 * have threads).  Nothing of the caller reaches the helper: not its
 * environment, fds, umask, cwd, signal mask or dispositions, resource
 * limits, priority or personality, nor its controlling terminal (a
 * session of its own: ^C or ^Z at the caller's terminal, or the terminal's hangup, reach
 * the whole foreground process group whatever its uids, and a
 * melee-mounts stopped while it holds the lock under /run/melee would
 * stall every other up and down, at boot and at every login); and for
 * the setuid melee not the caller's real uid or groups either; nor its
 * cgroup (open_pid1_cgroup). */
static _Noreturn void exec_helper(char *const argv[], int nullfd, int errfd, int cgfd)
{
	static char *const envp[] = { MELEE_AUTO_UP_PATH_ENV, NULL };
	struct sigaction dfl;
	sigset_t none;
	int r;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	/* Its stderr is a pipe to the caller, whom the user may kill: a
	 * write after that must fail with EPIPE, not kill melee-mounts in
	 * the middle of an up (the ignored disposition survives execve). */
	dfl.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(errfd, STDERR_FILENO) < 0 || dup2(nullfd, STDIN_FILENO) < 0 ||
	    dup2(nullfd, STDOUT_FILENO) < 0)
		_exit(127);
	/* "0": the writing process itself; cgfd is above 2 (open_pid1_cgroup). */
	if (cgfd >= 0 && write(cgfd, "0", 1) != 1)
		child_die("cannot move the helper out of the caller's cgroup into pid 1's: ", errno,
			  126);
	close_range(3, ~0U, 0);
	umask(022);
	if (chdir("/") < 0 || melee_become_root() < 0 || setsid() < 0)
		child_die("cannot become root in a session of its own to run the helper: ", errno,
			  126);
	reset_scheduling();
	if ((r = reset_oom_score()) < 0)
		child_die("cannot reset the caller's oom_score_adj for the helper: ", -r, 126);
	if ((r = reset_limits()) < 0)
		child_die("cannot lift the caller's resource limits for the helper: ", -r, 126);
	/* setarch's flags survive the setuid exec (only the
	 * PER_CLEAR_ON_SETID ones go): a uname that says 2.6, a 3 GB address
	 * space, sticky timeouts would reach melee-mounts as root.  The
	 * personality of a process at boot; a system call, async-signal-safe. */
	if (personality(PER_LINUX) == -1)
		child_die("cannot reset the caller's personality for the helper: ", errno, 126);
	execve(argv[0], argv, envp);
	child_write("cannot execute ");
	child_write(argv[0]);
	child_die(": ", errno, 127);
}

/* Reads the helper's stderr to its end (a helper blocked on a full pipe
 * would never exit) and keeps the first line, shown printable. */
static void read_first_line(int fd, char *line, size_t len)
{
	char buf[512], first[512];
	size_t have = 0;
	bool done = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < n && !done; i++) {
			if (buf[i] == '\n' || have == sizeof(first) - 1)
				done = true;
			else
				first[have++] = buf[i];
		}
	}
	first[have] = '\0';
	melee_shown(first, 300, line, len);
}

int melee_auto_up(const struct melee_config *cfg, const char *conf_path,
		  const struct melee_image *im, char *ran, size_t ranlen, char *err, size_t errlen)
{
	char *argv[] = { (char *)MELEE_MOUNTS_PATH,
			 (char *)"--config",
			 (char *)conf_path,
			 (char *)"up",
			 im->name,
			 NULL };
	char line[400] = "";
	cleanup_fd int nullfd = -1, rd = -1, wr = -1, cgfd = -1;
	struct sigaction dfl, old;
	int pipefd[2], status = 0, saved;
	pid_t pid, w = -1;

	if (!cfg->auto_up || !needs_up(im))
		return 0;
	if (geteuid() != 0)
		return melee_fail(err, errlen, -EPERM,
				  "image %s is not prepared, and auto-up cannot run "
				  "'%s up %s' without root",
				  im->name, MELEE_MOUNTS_PATH, im->name);
	if (open_pid1_cgroup(&cgfd, line, sizeof(line)) < 0)
		return melee_fail(err, errlen, -EPERM,
				  "image %s is not prepared, and auto-up will not run '%s up %s' "
				  "in the caller's cgroup: %s",
				  im->name, MELEE_MOUNTS_PATH, im->name, line);
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0 || pipe2(pipefd, O_CLOEXEC) < 0)
		return melee_fail(err, errlen, -errno, "image %s: auto-up: %s", im->name,
				  strerror(errno));
	rd = pipefd[0];
	wr = pipefd[1];
	if (fd_above_stdio(&nullfd) < 0 || fd_above_stdio(&wr) < 0)
		return melee_fail(err, errlen, -errno, "image %s: auto-up: %s", im->name,
				  strerror(errno));
	/* As pam_mkhomedir does: the caller's SIGCHLD handler (sshd and
	 * slurmstepd have one) must not reap our child before we do. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &dfl, &old);
	pid = fork();
	if (pid == 0)
		exec_helper(argv, nullfd, wr, cgfd);
	saved = errno;
	if (pid > 0) {
		melee_fd_replace(&wr, -1);
		read_first_line(rd, line, sizeof(line));
		while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		saved = errno;
	}
	sigaction(SIGCHLD, &old, NULL);
	if (pid < 0 || w < 0)
		return melee_fail(err, errlen, -saved, "image %s: auto-up: cannot run %s: %s",
				  im->name, MELEE_MOUNTS_PATH, strerror(saved));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char how[64];

		if (WIFEXITED(status))
			snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(status));
		else
			snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(status));
		return melee_fail(err, errlen, -EIO,
				  "image %s is not prepared, and auto-up's '%s up %s' failed "
				  "(%s): %s",
				  im->name, MELEE_MOUNTS_PATH, im->name, how,
				  line[0] ? line : "(no message)");
	}
	if (ran && ranlen)
		snprintf(ran, ranlen,
			 "auto-up: image %s was not prepared: ran '%s --config %s up %s'", im->name,
			 MELEE_MOUNTS_PATH, conf_path, im->name);
	return 1;
}
