/* Dlopens the driver's libcuda.so.1 and libnvidia-ml.so.1 and calls into
 * them; built on a new host for images down to glibc 2.2.5's symbols
 * (x86_64; built with -m32 too, for i386's oldest).  With an argument,
 * also says where libcuda.so.1 was loaded from. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include "old-glibc-start.h"
static void *sym(void *h, const char *name)
{
	void *f = dlsym(h, name);
	if (!f) { printf("no %s: %s\n", name, dlerror()); exit(1); }
	return f;
}
int main(int argc, char **argv, char **envp)
{
	void *cu = dlopen("libcuda.so.1", RTLD_NOW), *ml;
	int v = 0;
	char ver[80] = "";
	(void)argv; (void)envp;
	if (!cu) { printf("dlopen libcuda.so.1: %s\n", dlerror()); return 1; }
	ml = dlopen("libnvidia-ml.so.1", RTLD_NOW);
	if (!ml) { printf("dlopen libnvidia-ml.so.1: %s\n", dlerror()); return 1; }
	printf("cuInit=%d", ((int (*)(unsigned))sym(cu, "cuInit"))(0));
	((int (*)(int *))sym(cu, "cuDriverGetVersion"))(&v);
	printf(" cuDriverGetVersion=%d", v);
	printf(" nvmlInit_v2=%d", ((int (*)(void))sym(ml, "nvmlInit_v2"))());
	((int (*)(char *, unsigned))sym(ml, "nvmlSystemGetDriverVersion"))(ver, sizeof(ver));
	printf(" nvmlSystemGetDriverVersion=%s", ver);
	if (argc > 1) {
		struct link_map *lm = NULL;
		if (dlinfo(cu, RTLD_DI_LINKMAP, &lm) == 0 && lm)
			printf(" from=%s", lm->l_name);
	}
	printf("\n");
	return 0;
}
