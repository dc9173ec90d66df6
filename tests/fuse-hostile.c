/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A user's FUSE daemon of the worst kind, mounted by fusermount (setuid,
 * as any user may) with mount options of her choosing that bindfs would
 * not pass (fsname=, a long subtype=): mounts-target-path-unsafe.sh.
 *
 *   fuse-hostile never MOUNTPOINT OPTIONS
 *       never reads /dev/fuse: every request waits for ever (as for a
 *       daemon stopped before it read anything)
 *   fuse-hostile bad-root MOUNTPOINT OPTIONS
 *       answers INIT, and a GETATTR of its root with a regular file's
 *       mode: the kernel then marks the root inode bad, and every statx
 *       of it, by anyone, with any mask, fails EIO; anything else ENOSYS
 *
 * It runs fusermount with _FUSE_COMMFD, takes the /dev/fuse fd fusermount
 * hands back over the socket, prints "mounted", then does as the mode
 * says until killed.  Exit: 2 on a usage or system error, 1 when
 * fusermount fails. */
#include <errno.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void reply(int fd, uint64_t unique, int error, const void *p, size_t n)
{
	char buf[4096];
	struct fuse_out_header *h = (void *)buf;

	h->len = (uint32_t)(sizeof(*h) + n);
	h->error = error;
	h->unique = unique;
	if (n)
		memcpy(buf + sizeof(*h), p, n);
	if (write(fd, buf, h->len) < 0)
		perror("fuse-hostile: write");
}

static int serve_bad_root(int fd)
{
	static char buf[1 << 20];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		struct fuse_in_header *in = (void *)buf;

		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		if (n < (ssize_t)sizeof(*in))
			return 0;
		if (in->opcode == FUSE_INIT) {
			struct fuse_init_out o = { .major = FUSE_KERNEL_VERSION,
						   .minor = 31,
						   .max_readahead = 65536,
						   .max_write = 65536 };

			reply(fd, in->unique, 0, &o, sizeof(o));
		} else if (in->opcode == FUSE_GETATTR) {
			struct fuse_attr_out o = { 0 };

			o.attr.ino = in->nodeid;
			o.attr.mode = S_IFREG | 0644; /* the root is a directory */
			o.attr.nlink = 1;
			reply(fd, in->unique, 0, &o, sizeof(o));
		} else if (in->opcode != FUSE_FORGET && in->opcode != FUSE_BATCH_FORGET) {
			reply(fd, in->unique, -ENOSYS, NULL, 0);
		}
	}
}

int main(int argc, char **argv)
{
	char byte, cbuf[CMSG_SPACE(sizeof(int))], env[32];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int sv[2], status, fd;
	pid_t pid;

	if (argc != 4 || (strcmp(argv[1], "never") != 0 && strcmp(argv[1], "bad-root") != 0)) {
		fprintf(stderr, "usage: fuse-hostile never|bad-root MOUNTPOINT OPTIONS\n");
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
		execlp("fusermount", "fusermount", "-o", argv[3], "--", argv[2], (char *)NULL);
		perror("fusermount");
		_exit(127);
	}
	close(sv[1]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "fuse-hostile: fusermount failed\n");
		return 1;
	}
	if (recvmsg(sv[0], &msg, 0) <= 0 || !CMSG_FIRSTHDR(&msg)) {
		fprintf(stderr, "fuse-hostile: no fd from fusermount: %s\n", strerror(errno));
		return 2;
	}
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	printf("mounted\n");
	fflush(stdout);
	if (strcmp(argv[1], "bad-root") == 0)
		return serve_bad_root(fd);
	for (;;)
		pause();
}
