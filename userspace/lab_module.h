/* SPDX-License-Identifier: GPL-2.0 */
/* What the lab's static programs (faultload, labcall) ask of the module list. */
#ifndef LAB_MODULE_H
#define LAB_MODULE_H

#include <stdio.h>
#include <string.h>

/* module_loaded NAME: module NAME is in /proc/modules (what lsmod reads). */
static inline int module_loaded(const char *name)
{
	char line[512];
	size_t len = strlen(name);
	int found = 0;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, len) && line[len] == ' ';
	fclose(f);
	return found;
}

#endif
