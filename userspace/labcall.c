// SPDX-License-Identifier: GPL-2.0
/*
 * labcall: the system calls a test makes most often, through modprobe, insmod, rmmod and
 * dmesg, made by one resident process for the whole test (scripts/guest/lab.sh starts it).
 * A test loads and unloads its module and reads the kernel log dozens of times; on the debug
 * kernel under emulation each of those commands is a fork and an exec, about 30 ms, as much as
 * the kernel's own work for a load. Here each is a line on a pipe, and the kernel does the same.
 *
 *   labcall REQUEST-FIFO REPLY-FIFO REPLY-FILE
 *   requests one a line:
 *     modprobe NAME [PARAM=VALUE]...   loads NAME's file (found, as modprobe finds it, in
 *                                       modules.dep), the parameters as one string
 *     insmod /FILE [PARAM=VALUE]...    loads FILE: finit_module(2), then init_module(2) if
 *                                       that failed, as busybox's commands do
 *     rmmod NAME                       delete_module(2), O_NONBLOCK | O_EXCL (as rmmod does)
 *     klog [-c] /FILE                  the kernel log since the last clear into FILE, as
 *                                       dmesg -r prints it (syslog(2), as dmesg reads it);
 *                                       -c: and clear it (dmesg -r -c)
 *   each answered by one line in REPLY-FILE, then one byte ("\n") on REPLY-FIFO: the shell
 *   waits for the byte, then reads the file (a line read from the FIFO itself could be cut in
 *   two by a signal or a timeout in the shell's read, which takes a byte a system call):
 *     "0" (done), "STATUS MESSAGE" (failed: the exit status and the error line of busybox's
 *     command, e.g. "1 can't load module lab_params (extra/lab_params.ko): Invalid argument"),
 *     or "- REASON": not a request labcall takes (an option, a relative path, a module with
 *     dependencies or one modules.dep does not list, a line of 4 KiB or more): the shell runs
 *     the command itself.
 *
 * As busybox 1.35's commands: the parameters go to the kernel as the words joined by spaces
 * (lab.sh sends none with a space in it); modprobe of a module already in /proc/modules
 * succeeds without a call; rmmod takes a name as modprobe does ("lab-x.ko" is lab_x); the error
 * texts are busybox's (moderror: "unknown symbol in module, or unknown parameter" for ENOENT …);
 * and while it serves a request, its task's name (comm) is the command's, so a kernel report
 * during a load says "Comm: insmod" as it would.
 *
 * It makes the two FIFOs, opens them and removes them once the shell has opened them too. It
 * exits at the end of its input: once the test's shell, and whatever it started meanwhile (they
 * hold the request FIFO open too), have ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lab_module.h"

static char reply[4200];

/* load's answer for a file it cannot map (empty, a directory): busybox's own reading decides. */
#define UNMAPPED INT_MIN

/* modname FILE OUT: the module name modprobe and rmmod make of FILE (basename, cut at the
 * first '.', '-' as '_'). */
static void modname(const char *file, char *out, size_t len)
{
	const char *base = strrchr(file, '/');
	size_t i;

	base = base ? base + 1 : file;
	for (i = 0; i + 1 < len && base[i] && base[i] != '.'; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[i] = '\0';
}

/* dep_path NAME OUT: NAME's path in modules.dep ("/lib/modules/R/extra/NAME.ko").
 * 0: found, no dependencies; 1: not listed; 2: it has dependencies (modprobe loads those). */
static int dep_path(const char *name, char *out, size_t len)
{
	static char dir[300];
	char line[4096], path[400], mod[256];
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
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		modname(line, mod, sizeof(mod));
		if (strcmp(mod, name))
			continue;
		found = colon[1 + strspn(colon + 1, " \t")] != '\n' ? 2 : 0;
		if (snprintf(out, len, "%s/%s", dir, line) >= (int)len)
			found = 1;
	}
	fclose(f);
	return found;
}

/* moderror: busybox's text for a load's error (modutils.c), ERR signed as load gives it. */
static const char *moderror(int err)
{
	switch (err) {
	case -1:
		return "no such module";
	case ENOEXEC:
		return "invalid module format";
	case ENOENT:
		return "unknown symbol in module, or unknown parameter";
	case ESRCH:
		return "module has wrong symbol version";
	case ENOSYS:
		return "kernel does not support requested operation";
	}
	return strerror(abs(err));
}

/* load: FILE with PARAMS as busybox's insmod and modprobe load it: finit_module(2), and when
 * that fails init_module(2) of the file read into memory (so a failing init runs twice; the
 * errors topic's README says so). 0, the errno of the last call, minus the errno of a file
 * that could not be opened (busybox's insmod exits with that, as a byte: 254 for ENOENT), or
 * UNMAPPED. */
static int load(const char *file, const char *params)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;
	void *image;

	if (fd < 0)
		return -errno;
	if (!syscall(SYS_finit_module, fd, params, 0))
		goto out;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (image = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		err = UNMAPPED;
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
	int n, fd, done = 0, err = 0;

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
	while (done < n) {
		ssize_t w = write(fd, buf + done, n - done);

		if (w <= 0) {
			err = w < 0 ? errno : EIO;
			break;
		}
		done += w;
	}
	if (close(fd) && !err)
		err = errno;
	return err;
}

/* say: the reply, as printf. */
#define say(...) snprintf(reply, sizeof(reply), __VA_ARGS__)

/* One request (the line, its newline cut), its reply in `reply`. */
static void serve(char *req)
{
	char *verb = strtok(req, " "), *what = strtok(NULL, " "), *params = strtok(NULL, "");
	char file[512], name[256];
	int err;

	if (!params)
		params = "";
	if (!verb || !what) {
		say("- no module");
	} else if (!strcmp(verb, "modprobe") && what[0] != '-') {
		modname(what, name, sizeof(name));
		if (module_loaded(name)) {
			say("0");
			return;
		}
		switch (dep_path(name, file, sizeof(file))) {
		case 1:
			say("- not in modules.dep");
			return;
		case 2:
			say("- has dependencies");
			return;
		}
		prctl(PR_SET_NAME, "modprobe");
		err = load(file, params);
		if (err == UNMAPPED)
			say("- cannot map the file");
		else if (err && err != EEXIST)
			say("1 can't load module %s (%s): %s", what,
			    strchr(file + strlen("/lib/modules/"), '/') + 1, moderror(err));
		else
			say("0");
	} else if (!strcmp(verb, "insmod") && what[0] == '/') {
		prctl(PR_SET_NAME, "insmod");
		err = load(what, params);
		if (err == UNMAPPED)
			say("- cannot map the file");
		else if (err)
			say("%d can't insert '%s': %s", err & 0xff, what, moderror(err));
		else
			say("0");
	} else if (!strcmp(verb, "rmmod") && what[0] != '-' && !*params) {
		prctl(PR_SET_NAME, "rmmod");
		modname(what, name, sizeof(name));
		if (syscall(SYS_delete_module, name, O_NONBLOCK | O_EXCL))
			say("1 can't unload module '%s': %s", name, strerror(errno));
		else
			say("0");
	} else if (!strcmp(verb, "klog")) {
		int clear = !strcmp(what, "-c");
		char *path = what, *rest = params;

		if (clear) {
			path = strtok(params, " ");
			rest = strtok(NULL, "");
		}
		if (!path || path[0] != '/' || (rest && *rest))
			say("- not a klog request");
		else if ((err = klog(path, clear)))
			say("1 %s", strerror(err));
		else
			say("0");
	} else {
		say("- not a request labcall takes");
	}
	prctl(PR_SET_NAME, "labcall");
}

int main(int argc, char **argv)
{
	char req[4096];
	int in, out, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: labcall REQUEST-FIFO REPLY-FIFO REPLY-FILE\n");
		return 2;
	}
	/* Nothing of the test's own: a device it holds open must close when the test closes it. */
	if (syscall(SYS_close_range, 3, ~0U, 0))
		for (fd = 3; fd < 1024; fd++)
			close(fd);
	/* The reply FIFO first: the shell opens both, read-write, once the request FIFO is
	 * there. Read-only for the requests, so that the input ends (the open waits for the
	 * shell's). */
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
	while (fgets(req, sizeof(req), stdin)) {
		size_t len = strcspn(req, "\n");

		if (req[len] != '\n' && !feof(stdin)) {
			/* A line too long for the buffer: the rest of it is not a request. */
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			say("- a line of 4 KiB or more");
		} else {
			req[len] = '\0';
			serve(req);
		}
		fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dprintf(fd, "%s\n", reply) < 0 || close(fd) || write(1, "\n", 1) != 1)
			return 1;
	}
	return 0;
}
