// SPDX-License-Identifier: GPL-2.0
/*
 * faultload: load a kernel module with finit_module(2) while the kernel's fault injection
 * makes the N-th allocation of that one system call fail (or init_module(2), -i). Works for
 * any module.
 *
 *   faultload [-i] [-s all|module] [-t all|slab|page] [-n N | -a [-r R] [-m MAX] [-u]]
 *             MODULE.ko [PARAM=VALUE]...
 *
 *   (no -n, -a)  load once, no fault injected (like insmod).
 *   -n N         load once, failing the N-th fault point (N >= 1) of finit_module.
 *   -a           N = 1, 2, ... until a load succeeds with no fault injected; every load that
 *                succeeded is unloaded again (delete_module(2)), including the last one.
 *   -r R         with -a: load R times at each N (default 1), and stop at the first N where
 *                none of the R loads had a fault injected. The loader's own count of
 *                failable allocations varies by one or two from load to load (caches that
 *                are refilled only when empty), so a single pass can step over one of the
 *                module's allocations; R = 3 makes that unlikely.
 *   -m MAX       with -a: give up after MAX values of N (default 10000).
 *   -u           with -a: then the same for unloading: N = 1, 2, ... until a delete_module(2)
 *                of a cleanly loaded module has no fault injected; each must unload it.
 *   -t WHICH     which fault points count: all (default), slab (failslab only) or page
 *                (fail_page_alloc only).
 *   -s SCOPE     which allocations count: all (default), or module: only those with module
 *                code on the call stack (the module's init and exit, its parameters' set
 *                operations, and what the kernel does for them), not the loader's own. It
 *                sets the stack-trace filter (require-start/require-end, honoured by fail-nth;
 *                CONFIG_FAULT_INJECTION_STACKTRACE_FILTER) to the addresses above the kernel's
 *                _etext: the module area. A sweep then has tens of points, not hundreds.
 *                The stack walk is the kernel's unwinder's, through C and Rust frames alike.
 *   -i           load with init_module(2) from a copy of the file in memory instead of
 *                finit_module(2) (see "finit_module or init_module" below).
 *
 * Output, one line per load, then with -a a summary:
 *   n=N result=loaded|ENOMEM|<errno name> injected=yes|no
 *   summary points=P enomem=E other=O absorbed=A last_n=L
 * and with -u one line per unload, then its summary:
 *   unload n=N result=unloaded|<errno name> injected=yes|no
 *   unload-summary points=P last_n=L
 * With -n or -a, each load is first announced in the kernel log, through /dev/kmsg, as
 *   faultload: MODULE n=N
 * so what the kernel logs during that load can be told apart. n=0: no fault was asked for.
 * injected=yes: the kernel reports (fail-nth read back as 0) that it did fail the N-th
 * point; injected=no: the call made fewer than N failable allocations. P counts the loads
 * with injected=yes: the failure points exercised; E of them
 * failed with ENOMEM, O with another errno, A loaded anyway (the kernel absorbed the fault,
 * e.g. vmalloc falling back from a failed bulk page allocation to one page at a time).
 * L is the last N that was injected: the number of failure points in one load.
 *
 * Exit status: 0 the load succeeded (-a: the clean load was reached, every injected failure
 * was ENOMEM and the module was never left loaded after a failed load); 1 the load failed
 * (-a: another errno, a clean load failed, MAX reached, or the module stuck); 2 usage or
 * set-up error (cannot open the module, fail-nth or the debugfs knobs).
 *
 * Why a program of its own: /proc/thread-self/fail-nth arms the fault for the task that
 * wrote it, counting every failable allocation from then on. `echo N > fail-nth; insmod`
 * from a shell spends the fault on fork/exec, so the load itself succeeds. Here the write
 * and finit_module() are back to back in one thread.
 *
 * Debugfs (mounted at /sys/kernel/debug), set for the run and restored at exit:
 *   verbose = 0 in every fail... dir   so an injected fault prints no "FAULT_INJECTION:" line
 *                                    and no stack trace (the default, 2, prints both);
 *   failslab/ignore-gfp-wait = N,    otherwise every allocation that may sleep (GFP_KERNEL)
 *   fail_page_alloc/ignore-gfp-wait = N   is skipped and never counted;
 *   fail_page_alloc/ignore-gfp-highmem = N   vmalloc's pages are __GFP_HIGHMEM;
 *   fail_page_alloc/min-order = 0    count single pages too (the default, 1, skips them);
 *   -t slab: fail_page_alloc/min-order = 4294967295 (no page allocation counts);
 *   -t page: failslab/cache-filter = Y (only caches marked failslab count: none by default);
 *   and /proc/sys/kernel/printk_devkmsg = on, or /dev/kmsg keeps 10 lines per 5 s.
 * fail-nth also counts other fault points (e.g. fail_mempool_alloc, which has no filter).
 *
 * finit_module or init_module: finit_module(2) reads the file into a vmalloc buffer
 * (kernel_read_file) without __GFP_NOWARN, so a fault injected there makes the kernel print
 * its allocation failure report ("vmalloc error: ... allocation failed", a Call Trace and
 * Mem-Info; rate-limited to one per 10 s). It is the kernel's, not the module's, but a log
 * scanned for splats flags it. init_module(2) gets the image from user memory, which the
 * kernel copies into a __GFP_NOWARN vmalloc buffer: the same loader otherwise, no report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lab_module.h"

#define DEBUGFS "/sys/kernel/debug/"

static struct knob {
	char path[128];
	char old[32];
} knobs[32];
static int nknobs;
static int kmsg_fd = -1;
static char name[64];

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Writes VAL and a newline (printk_devkmsg insists on it) in one write. */
static int write_file(const char *path, const char *val)
{
	char buf[40];
	int fd = open(path, O_WRONLY), len;
	ssize_t n;

	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%s\n", val);
	n = write(fd, buf, len);
	close(fd);
	return n == len ? 0 : -1;
}

static void restore_knobs(void)
{
	while (nknobs > 0) {
		nknobs--;
		write_file(knobs[nknobs].path, knobs[nknobs].old);
	}
}

/* Sets a knob, to be restored at exit; exits on failure when it is required. */
static void set_knob(const char *path, const char *val, int required)
{
	struct knob *k = &knobs[nknobs];

	snprintf(k->path, sizeof(k->path), "%s", path);
	if (nknobs == (int)(sizeof(knobs) / sizeof(knobs[0])) ||
	    read_file(path, k->old, sizeof(k->old)) || write_file(path, val)) {
		if (!required)
			return;
		fprintf(stderr, "faultload: cannot set %s (debugfs mounted?): %s\n", path,
			strerror(errno));
		exit(2);
	}
	nknobs++;
}

static void setup_knobs(const char *which)
{
	int slab = !strcmp(which, "all") || !strcmp(which, "slab");
	int page = !strcmp(which, "all") || !strcmp(which, "page");
	glob_t g;
	size_t i;

	if (!slab && !page) {
		fprintf(stderr, "faultload: -t %s: want all, slab or page\n", which);
		exit(2);
	}
	atexit(restore_knobs);
	if (glob(DEBUGFS "fail*/verbose", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			set_knob(g.gl_pathv[i], "0", 1);
		globfree(&g);
	}
	set_knob(DEBUGFS "failslab/ignore-gfp-wait", "N", 1);
	set_knob(DEBUGFS "failslab/cache-filter", slab ? "N" : "Y", 1);
	set_knob(DEBUGFS "fail_page_alloc/ignore-gfp-wait", "N", 1);
	set_knob(DEBUGFS "fail_page_alloc/ignore-gfp-highmem", "N", 1);
	set_knob(DEBUGFS "fail_page_alloc/min-order", page ? "0" : "4294967295", 1);
	/* Every "faultload: MODULE n=N" line, not 10 per 5 s (fails if locked at boot: fine). */
	set_knob("/proc/sys/kernel/printk_devkmsg", "on", 0);
}

/* -s module: only allocations with an address above the kernel's text on the stack count. */
static void setup_scope(const char *scope)
{
	static const char *const dirs[] = { DEBUGFS "failslab/", DEBUGFS "fail_page_alloc/" };
	char line[256], sym[128], path[128], start[32] = "";
	unsigned long addr;
	size_t i;
	FILE *f;

	if (!strcmp(scope, "all"))
		return;
	if (strcmp(scope, "module")) {
		fprintf(stderr, "faultload: -s %s: want all or module\n", scope);
		exit(2);
	}
	f = fopen("/proc/kallsyms", "r");
	while (f && !start[0] && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %*s %127s", &addr, sym) == 2 && !strcmp(sym, "_etext") && addr)
			snprintf(start, sizeof(start), "%lu", addr);
	if (f)
		fclose(f);
	if (!start[0]) {
		fprintf(stderr, "faultload: -s module: no _etext address in /proc/kallsyms\n");
		exit(2);
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%srequire-start", dirs[i]);
		set_knob(path, start, 1);
		snprintf(path, sizeof(path), "%srequire-end", dirs[i]);
		set_knob(path, "18446744073709551615", 1);
		snprintf(path, sizeof(path), "%sstacktrace-depth", dirs[i]);
		set_knob(path, "32", 1);
	}
}

static const char *errname(int err)
{
	static char buf[16];
	const char *s = strerrorname_np(err);

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

/*
 * Arms fail-nth with N (0: no fault), first announcing "faultload: MODULE [WHAT ]n=N" in the
 * kernel log so that what the kernel logs next can be told apart.
 */
static void arm(int nth_fd, unsigned int n, const char *what)
{
	char buf[96];
	ssize_t len;

	if (!n)
		return;
	if (kmsg_fd >= 0) {
		len = snprintf(buf, sizeof(buf), "faultload: %s %sn=%u\n", name, what, n);
		if (write(kmsg_fd, buf, len) != len)
			perror("faultload: /dev/kmsg");
	}
	len = snprintf(buf, sizeof(buf), "%u", n);
	if (pwrite(nth_fd, buf, len, 0) != len) {
		perror("faultload: write fail-nth");
		exit(2);
	}
}

/*
 * After the system call: did the N-th point fail (fail-nth read back as 0)? Disarms fail-nth
 * when it was not reached, or a later system call of ours would fail instead.
 */
static int disarm(int nth_fd, unsigned int n)
{
	char buf[32];
	ssize_t len;

	if (!n)
		return 0;
	len = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	buf[len > 0 ? len : 0] = '\0';
	if (pwrite(nth_fd, "0", 1, 0) != 1) {
		perror("faultload: write fail-nth");
		exit(2);
	}
	return len > 0 && atoi(buf) == 0;
}

/*
 * One load: arm fail-nth with N (0: no fault), finit_module, read fail-nth back, disarm.
 * Returns 0 or the errno; *injected tells whether the N-th point was reached and failed.
 */
static int load(int nth_fd, int ko_fd, const void *image, size_t size, const char *params,
		unsigned int n, int *injected)
{
	int ret, err;

	arm(nth_fd, n, "");
	if (image)
		ret = syscall(SYS_init_module, image, size, params);
	else
		ret = syscall(SYS_finit_module, ko_fd, params, 0);
	err = ret ? errno : 0;
	*injected = disarm(nth_fd, n);
	printf("n=%u result=%s injected=%s\n", n, err ? errname(err) : "loaded",
	       *injected ? "yes" : "no");
	fflush(stdout);
	return err;
}

/* Unloads NAME with fail-nth armed at N (0: none). Returns 0 or the errno. */
static int unload(int nth_fd, unsigned int n, int *injected)
{
	int err;

	arm(nth_fd, n, "unload ");
	err = syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
	*injected = disarm(nth_fd, n);
	printf("unload n=%u result=%s injected=%s\n", n, err ? errname(err) : "unloaded",
	       *injected ? "yes" : "no");
	fflush(stdout);
	return err;
}

/* -u: every failure point of unloading, in turn; the module must be gone after each. */
static int unload_sweep(int nth_fd, int ko_fd, const void *image, size_t size,
			const char *params, unsigned int max)
{
	unsigned int n, points = 0;
	int injected;

	for (n = 1; n <= max; n++) {
		if (load(nth_fd, ko_fd, image, size, params, 0, &injected))
			return 1;
		if (unload(nth_fd, n, &injected) || module_loaded(name)) {
			fprintf(stderr, "faultload: %s did not unload with fault %u\n", name, n);
			return 1;
		}
		if (!injected) {
			printf("unload-summary points=%u last_n=%u\n", points, n - 1);
			return 0;
		}
		points++;
	}
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: faultload [-i] [-s all|module] [-t all|slab|page] "
			"[-n N | -a [-r R] [-m MAX] [-u]] MODULE.ko [PARAM=VALUE]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int n = 0, max = 10000, repeat = 1, r, clean;
	unsigned int points = 0, enomem = 0, other = 0, absorbed = 0;
	const char *which = "all", *scope = "all";
	char params[1024] = "";
	const char *base;
	int all = 0, use_init = 0, unloads = 0, opt, ko_fd, nth_fd = -1, err, injected, i;
	char *image = NULL;
	size_t len, size = 0;
	ssize_t got;

	while ((opt = getopt(argc, argv, "n:am:r:t:is:u")) != -1) {
		switch (opt) {
		case 'i': use_init = 1; break;
		case 'n': n = strtoul(optarg, NULL, 0); if (!n) usage(); break;
		case 'a': all = 1; break;
		case 'm': max = strtoul(optarg, NULL, 0); break;
		case 'r': repeat = strtoul(optarg, NULL, 0); if (!repeat) usage(); break;
		case 't': which = optarg; break;
		case 's': scope = optarg; break;
		case 'u': unloads = 1; break;
		default: usage();
		}
	}
	if (optind >= argc || (all && n) || (unloads && !all))
		usage();
	for (i = optind + 1; i < argc; i++) {
		len = strlen(params);
		snprintf(params + len, sizeof(params) - len, "%s%s", len ? " " : "", argv[i]);
	}
	/* kbuild names a module after its file: foo-bar.ko is foo_bar. */
	base = strrchr(argv[optind], '/');
	snprintf(name, sizeof(name), "%s", base ? base + 1 : argv[optind]);
	name[strcspn(name, ".")] = '\0';
	for (i = 0; name[i]; i++)
		if (name[i] == '-')
			name[i] = '_';

	ko_fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (ko_fd < 0) {
		fprintf(stderr, "faultload: %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	if (use_init) {
		size = lseek(ko_fd, 0, SEEK_END);
		image = malloc(size);
		got = image ? pread(ko_fd, image, size, 0) : -1;
		if (got < 0 || (size_t)got != size) {
			fprintf(stderr, "faultload: cannot read %s\n", argv[optind]);
			return 2;
		}
	}
	if (!n && !all)
		return load(-1, ko_fd, image, size, params, 0, &injected) ? 1 : 0;

	setup_knobs(which);
	setup_scope(scope);
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0) {
		perror("faultload: /proc/thread-self/fail-nth");
		return 2;
	}
	if (!all) {
		err = load(nth_fd, ko_fd, image, size, params, n, &injected);
		return err ? 1 : 0;
	}
	for (n = 1; n <= max; n++) {
		for (r = clean = 0; r < repeat; r++) {
			err = load(nth_fd, ko_fd, image, size, params, n, &injected);
			if (!err && syscall(SYS_delete_module, name, O_NONBLOCK)) {
				fprintf(stderr, "faultload: delete_module %s: %s\n", name,
					strerror(errno));
				return 1;
			}
			if (err && module_loaded(name)) {
				fprintf(stderr, "faultload: %s failed to load but is loaded\n", name);
				return 1;
			}
			if (!injected) {
				if (err) /* failed with no fault injected: it cannot load at all */
					return 1;
				clean++;
				continue;
			}
			points++;
			if (!err)
				absorbed++;
			else if (err == ENOMEM)
				enomem++;
			else
				other++;
		}
		if (clean == repeat) {
			printf("summary points=%u enomem=%u other=%u absorbed=%u last_n=%u\n",
			       points, enomem, other, absorbed, n - 1);
			if (other)
				return 1;
			return unloads ? unload_sweep(nth_fd, ko_fd, image, size, params, max) : 0;
		}
	}
	printf("summary points=%u enomem=%u other=%u absorbed=%u (gave up at -m %u)\n", points,
	       enomem, other, absorbed, max);
	return 1;
}
