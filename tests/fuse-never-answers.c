/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A user's FUSE mount whose daemon never answers (as one stopped before
 * it read anything), with mount options of her choosing that bindfs
 * would not pass (fsname=, a long subtype=): mounts-target-path-unsafe.sh.
 * It runs fusermount (setuid, as any user may) with _FUSE_COMMFD, takes
 * the /dev/fuse fd fusermount hands back over the socket, prints
 * "mounted", and holds the fd without reading it until killed.
 *
 * Usage: fuse-never-answers MOUNTPOINT OPTIONS
 * Exit: 2 on a usage or system error, 1 when fusermount fails. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))], env[32];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int sv[2], status;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: fuse-never-answers MOUNTPOINT OPTIONS\n");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		close(sv[0]);
		snprintf(env, sizeof(env), "%d", sv[1]);
		setenv("_FUSE_COMMFD", env, 1);
		execlp("fusermount", "fusermount", "-o", argv[2], "--", argv[1], (char *)NULL);
		perror("fusermount");
		_exit(127);
	}
	close(sv[1]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "fuse-never-answers: fusermount failed\n");
		return 1;
	}
	if (recvmsg(sv[0], &msg, 0) <= 0 || !CMSG_FIRSTHDR(&msg)) {
		fprintf(stderr, "fuse-never-answers: no fd from fusermount: %s\n", strerror(errno));
		return 2;
	}
	printf("mounted\n");
	fflush(stdout);
	for (;;)
		pause();
}
