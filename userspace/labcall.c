// SPDX-License-Identifier: GPL-2.0
/*
 * labcall: the system calls a test makes most often, through modprobe, insmod, rmmod and
 * dmesg, made by one resident process for the whole test (scripts/guest/lab.sh starts it).
 * A test loads and unloads its module and reads the kernel log dozens of times; on the debug
 * kernel under emulation each of those commands is a fork and an exec, about 30 ms, as much as
 * the kernel's own work for a load. Here each is a line on a pipe, and the kernel does the same.
 *
 *   labcall REQUEST-FIFO REPLY-FIFO    requests one a line, one reply line each:
 *     modprobe NAME [PARAM=VALUE]...   loads NAME's file (found, as modprobe finds it, in
 *                                       modules.dep), the parameters as one string
 *     insmod FILE [PARAM=VALUE]...     loads FILE: finit_module(2), then init_module(2) if
 *                                       that failed, as busybox's commands do
 *     rmmod NAME                       delete_module(2), O_NONBLOCK | O_EXCL (as rmmod does)
 *     klog [-c] FILE                   the kernel log since the last clear into FILE, as
 *                                       dmesg -r prints it (syslog(2), as dmesg reads it);
 *                                       -c: and clear it (dmesg -c)
 *   reply "0" (done), "STATUS MESSAGE" (failed: the exit status and error line busybox's
 *   command would give, e.g. "1 can't load module lab_params (extra/lab_params.ko): Invalid
 *   argument"), or "- REASON": not a request labcall takes (a module with dependencies, one
 *   modules.dep does not list, an option): the shell runs the real command.
 *
 * The parameters go to the kernel as modprobe and insmod give them: the words joined by
 * spaces. modprobe of a module already loaded succeeds and does nothing, as busybox's does.
 * It exits at the end of its input: when the test's shell, the only writer, has gone. It makes
 * the two FIFOs, opens them and removes them once the shell has opened them too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static char reply[4096];

/* dep_path NAME OUT: NAME's path in modules.dep ("extra/NAME.ko"), '-' and '_' alike.
 * 0: found, no dependencies; 1: not listed; 2: it has dependencies (modprobe loads those). */
static int dep_path(const char *name, char *out, size_t len)
{
	static char dir[300];
	char line[4096], path[400];
	struct utsname u;
	int found = 1;
	FILE *f;

	if (!dir[0]) {
		if (uname(&u))
			return 1;
		snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	}
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	f = fopen(path, "r");
	if (!f)
		return 1;
	while (found == 1 && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base, *a;
		const char *b;

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		for (a = base, b = name; *a && *b; a++, b++)
			if (*a != *b && !(strchr("-_", *a) && strchr("-_", *b)))
				break;
		if (*b || strcmp(a, ".ko"))
			continue;
		found = colon[1 + strspn(colon + 1, " \t")] != '\n' ? 2 : 0;
		if (snprintf(out, len, "%s/%s", dir, line) >= (int)len)
			found = 1;
	}
	fclose(f);
	return found;
}

/* load: FILE with PARAMS as busybox's insmod and modprobe load it: finit_module(2), and when
 * that fails init_module(2) of the file read into memory (so a failing init runs twice; the
 * errors topic's README says so). 0, the errno of the last call, or minus the errno of a file
 * that could not be opened (busybox's insmod exits with that, as a byte: 254 for ENOENT). */
static int load(const char *file, const char *params)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;
	void *image;

	if (fd < 0)
		return -errno;
	if (!syscall(SYS_finit_module, fd, params, 0))
		goto out;
	if (fstat(fd, &st)) {
		err = errno;
		goto out;
	}
	image = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (image == MAP_FAILED) {
		err = errno;
		goto out;
	}
	if (syscall(SYS_init_module, image, (unsigned long)st.st_size, params))
		err = errno;
	munmap(image, st.st_size);
out:
	close(fd);
	return err;
}

/* klog: the log (SYSLOG_ACTION_READ_ALL, or READ_CLEAR with clear) into FILE; 0 or the errno. */
static int klog(const char *file, int clear)
{
	static char *buf;
	static int size;
	int n, fd, err = 0;

	if (!buf) {
		size = klogctl(10 /* SIZE_BUFFER */, NULL, 0);
		if (size <= 0 || !(buf = malloc(size)))
			return size < 0 ? errno : ENOMEM;
	}
	n = klogctl(clear ? 4 /* READ_CLEAR */ : 3 /* READ_ALL */, buf, size);
	if (n < 0)
		return errno;
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	if (write(fd, buf, n) != n)
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	return err;
}

/* One request (the line, its newline cut), its reply in `reply`. */
static void serve(char *req)
{
	char *verb = strtok(req, " "), *what = strtok(NULL, " "), *params = strtok(NULL, "");
	char file[512];
	int err;

	if (!params)
		params = "";
	if (!verb || !what || (what[0] == '-' && strcmp(verb, "klog"))) {
		snprintf(reply, sizeof(reply), "- options or no module");
	} else if (!strcmp(verb, "modprobe")) {
		switch (dep_path(what, file, sizeof(file))) {
		case 1:
			snprintf(reply, sizeof(reply), "- not in modules.dep");
			return;
		case 2:
			snprintf(reply, sizeof(reply), "- has dependencies");
			return;
		}
		err = abs(load(file, params));
		if (!err || err == EEXIST)
			snprintf(reply, sizeof(reply), "0");
		else
			snprintf(reply, sizeof(reply), "1 can't load module %s (%s): %s", what,
				 strchr(file + strlen("/lib/modules/"), '/') + 1, strerror(err));
	} else if (!strcmp(verb, "insmod")) {
		err = load(what, params);
		if (err)
			snprintf(reply, sizeof(reply), "%d can't insert '%s': %s", err & 0xff, what,
				 strerror(abs(err)));
		else
			snprintf(reply, sizeof(reply), "0");
	} else if (!strcmp(verb, "rmmod") && !*params && !strchr(what, '/')) {
		if (syscall(SYS_delete_module, what, O_NONBLOCK | O_EXCL))
			snprintf(reply, sizeof(reply), "1 can't unload module '%s': %s", what,
				 strerror(errno));
		else
			snprintf(reply, sizeof(reply), "0");
	} else if (!strcmp(verb, "klog")) {
		int clear = !strcmp(what, "-c");
		char *file = what, *rest = params;

		if (clear) {
			file = strtok(params, " ");
			rest = strtok(NULL, "");
		}
		err = file && (!rest || !*rest) ? klog(file, clear) : EINVAL;
		if (err)
			snprintf(reply, sizeof(reply), "1 klog: %s", strerror(err));
		else
			snprintf(reply, sizeof(reply), "0");
	} else {
		snprintf(reply, sizeof(reply), "- not a request labcall takes");
	}
}

int main(int argc, char **argv)
{
	char req[4096];
	int in, out;

	if (argc != 3) {
		fprintf(stderr, "usage: labcall REQUEST-FIFO REPLY-FIFO\n");
		return 2;
	}
	/* Nothing of the test's own: a device it holds open must close when the test closes it. */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	/* The reply FIFO first: the shell opens both, read-write, once the request FIFO is
	 * there. Read-only for the requests: the input ends when the test's shell, its only
	 * writer, has gone (the open waits for the shell's). */
	if ((mkfifo(argv[2], 0600) && errno != EEXIST) || (mkfifo(argv[1], 0600) && errno != EEXIST)) {
		perror("labcall: mkfifo");
		return 2;
	}
	in = open(argv[1], O_RDONLY);
	out = open(argv[2], O_WRONLY);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0) {
		perror("labcall: open");
		return 2;
	}
	close(in);
	close(out);
	unlink(argv[1]);
	unlink(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(req, sizeof(req), stdin)) {
		req[strcspn(req, "\n")] = '\0';
		serve(req);
		printf("%s\n", reply);
	}
	return 0;
}
