/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A CUDA device query through the driver API alone (libcuda.so.1,
 * dlopened: no CUDA toolkit in the image), for bench/gpu-smoke.  Built on
 * the host to run in images down to glibc 2.2.5's symbols, as
 * tests/integration/gpu/gpu-probe.c is. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include "../tests/integration/gpu/old-glibc-start.h"

static void *cu;

static void *sym(const char *name)
{
	void *f = dlsym(cu, name);

	if (!f) {
		printf("gpu-devquery: libcuda.so.1 has no %s\n", name);
		exit(1);
	}
	return f;
}

int main(int argc, char **argv, char **envp)
{
	int n = 0, ver = 0, r;
	(void)argc, (void)argv, (void)envp;

	cu = dlopen("libcuda.so.1", RTLD_NOW);
	if (!cu) {
		printf("gpu-devquery: %s\n", dlerror());
		return 1;
	}
	r = ((int (*)(unsigned))sym("cuInit"))(0);
	if (r) {
		printf("gpu-devquery: cuInit failed: CUresult %d\n", r);
		return 1;
	}
	((int (*)(int *))sym("cuDriverGetVersion"))(&ver);
	((int (*)(int *))sym("cuDeviceGetCount"))(&n);
	printf("CUDA driver API %d.%d, %d device(s)\n", ver / 1000, ver % 1000 / 10, n);
	for (int i = 0; i < n; i++) {
		int dev = 0, major = 0, minor = 0;
		size_t mem = 0;
		char name[256] = "";

		((int (*)(int *, int))sym("cuDeviceGet"))(&dev, i);
		((int (*)(char *, int, int))sym("cuDeviceGetName"))(name, sizeof(name), dev);
		((int (*)(size_t *, int))sym("cuDeviceTotalMem_v2"))(&mem, dev);
		/* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR/MINOR: 75, 76 */
		((int (*)(int *, int, int))sym("cuDeviceGetAttribute"))(&major, 75, dev);
		((int (*)(int *, int, int))sym("cuDeviceGetAttribute"))(&minor, 76, dev);
		printf("device %d: %s, compute capability %d.%d, %zu MiB\n", i, name, major, minor,
		       mem >> 20);
	}
	return n > 0 ? 0 : 1;
}
