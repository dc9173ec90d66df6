/* Dlopens the driver's libcuda.so.1 and libnvidia-ml.so.1 and calls into
 * them; built on a new host for images down to glibc 2.2.5's symbols. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
__asm__(".symver __libc_start_main_old,__libc_start_main@GLIBC_2.2.5");
int __libc_start_main_old(int (*)(int, char **, char **), int, char **, void (*)(void),
			  void (*)(void), void (*)(void), void *);
int main(int argc, char **argv, char **envp);
/* Our own _start: the toolchain's calls __libc_start_main@GLIBC_2.34. */
__asm__(".text\n.globl _start\n_start:\n"
	"xor %ebp,%ebp\nmov %rdx,%r9\npop %rsi\nmov %rsp,%rdx\nand $-16,%rsp\n"
	"push %rax\npush %rsp\nxor %r8d,%r8d\nxor %ecx,%ecx\nlea main(%rip),%rdi\n"
	"call __libc_start_main_old@PLT\nhlt\n");
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
	(void)argc; (void)argv; (void)envp;
	if (!cu) { printf("dlopen libcuda.so.1: %s\n", dlerror()); return 1; }
	ml = dlopen("libnvidia-ml.so.1", RTLD_NOW);
	if (!ml) { printf("dlopen libnvidia-ml.so.1: %s\n", dlerror()); return 1; }
	printf("cuInit=%d", ((int (*)(unsigned))sym(cu, "cuInit"))(0));
	((int (*)(int *))sym(cu, "cuDriverGetVersion"))(&v);
	printf(" cuDriverGetVersion=%d", v);
	printf(" nvmlInit_v2=%d", ((int (*)(void))sym(ml, "nvmlInit_v2"))());
	((int (*)(char *, unsigned))sym(ml, "nvmlSystemGetDriverVersion"))(ver, sizeof(ver));
	printf(" nvmlSystemGetDriverVersion=%s\n", ver);
	return 0;
}
