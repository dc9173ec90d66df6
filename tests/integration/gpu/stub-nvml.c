#ifndef STUB_VERSION
#define STUB_VERSION "555.42.02"
#endif
int nvmlInit_v2(void) { return 0; }
int nvmlSystemGetDriverVersion(char *buf, unsigned len)
{
	const char v[] = STUB_VERSION;
	for (unsigned i = 0; i < len && i < sizeof(v); i++) buf[i] = v[i];
	return 0;
}
