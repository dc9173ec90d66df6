#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int p[2]; pipe(p);
	int fd = open(argv[1], O_PATH | O_DIRECTORY);
	int tree = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	char tgt[4096]; struct statx a, b; char c;
	snprintf(tgt, sizeof(tgt), "%s/x", argv[1]);
	if (fork() == 0) { /* stays in the original namespace */
		read(p[0], &c, 1);
		if (mount(argv[2], tgt, NULL, MS_BIND, NULL) < 0) perror("bind");
		_exit(0);
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) { perror("unshare"); return 1; }
	int fs = fsopen("tmpfs", 0); fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	int root = fsmount(fs, 0, 0); mkdirat(root, "src", 0755);
	if (move_mount(root, "", AT_FDCWD, "/mnt", MOVE_MOUNT_F_EMPTY_PATH) < 0) perror("attach root");
	if (move_mount(tree, "", root, "src", MOVE_MOUNT_F_EMPTY_PATH) < 0) perror("attach src");
	write(p[1], "x", 1); wait(NULL);
	statx(tree, "", AT_EMPTY_PATH, STATX_MNT_ID, &a);
	statx(tree, "x", 0, STATX_MNT_ID, &b);
	printf("after attach in a private ns: %s\n", a.stx_mnt_id == b.stx_mnt_id ? "NOT propagated" : "PROPAGATED");
	return 0;
}
