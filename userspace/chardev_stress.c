// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_stress: bad input and many processes at once for /dev/lab_chardev
 * (chardev/lab_chardev.rs), for chardev/test.sh and chardev/stress.sh. The learner's client
 * for the ioctls is chardev_ctl (userspace/chardev_ctl.c); the ABI is userspace/lab_chardev.h.
 *
 *   chardev_stress badcmd [all]       an unknown ioctl number (all: a list of them, one line
 *                                     each, "NUMBER HOW-BUILT: ERRNO"): expects ENOTTY
 *   chardev_stress badptr [WHERE]     LAB_CHARDEV_STATS to WHERE: expects EFAULT
 *   chardev_stress badwrite [WHERE]   write(2) of 64 bytes from WHERE: expects EFAULT
 *   chardev_stress badread [WHERE]    read(2) of 4096 bytes into WHERE: expects EFAULT (edge:
 *                                     a short read)
 *                                     WHERE: low (the address 1, the default), null, kernel (a
 *                                     kernel address), edge (8 bytes before an unmapped page)
 *   chardev_stress write SIZE [FILE]  one write(2) of SIZE bytes (read from FILE, else zeros)
 *   chardev_stress writev SIZE SIZE   one writev(2) of two segments of zeros
 *   chardev_stress pread OFFSET       one pread(2) of 4096 bytes at OFFSET (may be negative)
 *   chardev_stress lseek OFFSET       lseek(2) to OFFSET
 *   chardev_stress hammer N SECONDS [LOOPS]   see hammer() below
 *   chardev_stress torn N LOOPS       hammer's workers alone: no ioctl, so it needs only read
 *                                     and write (chardev/test.sh, exercise 2)
 *
 * The single calls (bad*, write, writev, pread, lseek) print what the call returned: a count,
 * or the errno's name. They also check that the counters moved by exactly what the call did
 * (its bytes on success, nothing on failure) and print "counters: ..." when not, so a caller
 * comparing the output sees it. Exit status 0 when the call did what is expected (bad*: the
 * errno; the others: the counters), 1 otherwise, 2 on usage or set-up errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_chardev.h"

#define DEV "/dev/lab_chardev"
#define CAPACITY 4096
#define MAX_WORKERS 64

typedef unsigned long long ull;

static const char *errname(int e)
{
	static char other[32];

	switch (e) {
	case ENOTTY: return "ENOTTY";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case EFBIG: return "EFBIG";
	case ESPIPE: return "ESPIPE";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case ENODEV: return "ENODEV";
	case EINTR: return "EINTR";
	default:
		snprintf(other, sizeof(other), "errno %d", e);
		return other;
	}
}

static void stats(int fd, struct lab_chardev_stats *s)
{
	if (ioctl(fd, LAB_CHARDEV_STATS, s) < 0) {
		perror("LAB_CHARDEV_STATS");
		exit(2);
	}
}

static long long num(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "chardev_stress: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

enum moves { NONE, READ, WRITTEN };

/*
 * Prints what one call returned (ret, err its errno) and checks the counters against it:
 * before is what they were just before the call, which moves bytes_read or bytes_written
 * by what it returned, and nothing else. want: the errno it must fail with, 0 for none.
 */
static int single(int fd, const struct lab_chardev_stats *before, long long ret, int err,
		  enum moves moves, int want)
{
	uint64_t n = ret > 0 ? ret : 0;
	uint64_t read = moves == READ ? n : 0, written = moves == WRITTEN ? n : 0;
	struct lab_chardev_stats s;

	stats(fd, &s);
	if (ret < 0)
		printf("%s", errname(err));
	else
		printf("%lld", ret);
	if (s.bytes_read != before->bytes_read + read ||
	    s.bytes_written != before->bytes_written + written || s.opens != before->opens) {
		printf(" counters: bytes_read +%llu bytes_written +%llu opens +%llu, want +%llu +%llu +0\n",
		       (ull)(s.bytes_read - before->bytes_read),
		       (ull)(s.bytes_written - before->bytes_written),
		       (ull)(s.opens - before->opens), (ull)read, (ull)written);
		return 1;
	}
	printf("\n");
	return want && (ret != -1 || err != want);
}

/* The address a bad* command passes; edge: 8 mapped bytes, then a page that is not. */
static void *where(const char *w)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	if (!strcmp(w, "low"))
		return (void *)1;
	if (!strcmp(w, "null"))
		return NULL;
	if (!strcmp(w, "kernel"))
		return (void *)0xffffffff81000000UL;
	if (strcmp(w, "edge")) {
		fprintf(stderr, "chardev_stress: WHERE is low, null, kernel or edge, not %s\n", w);
		exit(2);
	}
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + page, page, PROT_NONE)) {
		perror("mmap");
		exit(2);
	}
	return p + page - 8;
}

#define CMD(c) { c, #c }
/*
 * Numbers the module must refuse: neighbours of its two, its numbers with the wrong
 * direction or size, other type letters. None is one the VFS answers itself (FIONBIO, ...).
 */
static const struct {
	unsigned int cmd;
	const char *how;
} bad_cmds[] = {
	CMD(_IO('L', 0)),
	CMD(_IO('L', 1)),
	CMD(_IO('L', 3)),
	CMD(_IO('L', 4)),
	CMD(_IOW('L', 3, struct lab_chardev_mine)),
	CMD(_IOR('L', 3, uint64_t[2])),
	CMD(_IO('L', 99)),
	CMD(_IO('L', 255)),
	CMD(_IOW('L', 1, struct lab_chardev_stats)),
	CMD(_IOWR('L', 1, struct lab_chardev_stats)),
	CMD(_IOR('L', 1, uint32_t)),
	CMD(_IOR('L', 1, uint64_t[2])),
	CMD(_IOR('L', 1, uint64_t[4])),
	CMD(_IOR('L', 2, struct lab_chardev_stats)),
	CMD(_IOW('L', 2, int)),
	CMD(_IOR('M', 1, struct lab_chardev_stats)),
	CMD(_IO('M', 2)),
	CMD(_IO('l', 2)),
	CMD(0),
	CMD(0xffffffff),
};

/* Every number in bad_cmds: ENOTTY and counters unchanged (a RESET in disguise would zero them). */
static int badcmds(int fd)
{
	static uint64_t arg[CAPACITY / 8];	/* valid memory: only the number can be wrong */
	struct lab_chardev_stats s;
	unsigned int i;
	int bad = 0;

	for (i = 0; i < sizeof(bad_cmds) / sizeof(bad_cmds[0]); i++) {
		long ret;
		int err;

		stats(fd, &s);
		ret = ioctl(fd, bad_cmds[i].cmd, arg);
		err = errno;
		printf("0x%08x %s: ", bad_cmds[i].cmd, bad_cmds[i].how);
		bad |= single(fd, &s, ret, err, NONE, ENOTTY);
	}
	return bad;
}

/* --- hammer ----------------------------------------------------------------------------- */

/* What one child did, sent to the parent in one write(2) to a pipe (less than PIPE_BUF). */
struct tally {
	uint64_t who;		/* worker index, or MAX_WORKERS for the stats reader */
	uint64_t loops, opens, writes, bytes_written, reads, bytes_read, torn, stats_calls;
	uint64_t errors;
};

/*
 * Writer w's content: its own length, and bytes that differ from every other writer's at
 * every position ((w1 - w2) * 97 is never 0 mod 256 for w < 64), so no mix passes for one.
 */
static uint8_t patterns[MAX_WORKERS][CAPACITY];

static size_t pattern_len(int w)
{
	return CAPACITY - 61 * w;
}

static int whole(const uint8_t *buf, ssize_t n, int workers)
{
	int w;

	for (w = 0; w < workers; w++)
		if ((size_t)n == pattern_len(w) && !memcmp(buf, patterns[w], n))
			return 1;
	return 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000000000ULL + now.tv_nsec;
}

static int over(uint64_t deadline, uint64_t loops, long max_loops)
{
	return stop || loops >= (uint64_t)max_loops || now_ns() >= deadline;
}

/* One writer: open, write the whole pattern, read the content back in one read, close. */
static void worker(int w, int workers, uint64_t deadline, long max_loops, struct tally *t)
{
	static uint8_t buf[CAPACITY + 1];
	size_t len = pattern_len(w);

	while (!over(deadline, t->loops, max_loops)) {
		int fd = open(DEV, O_RDWR);
		ssize_t n;

		if (fd < 0) {
			perror("worker: open");
			t->errors++;
			return;
		}
		t->opens++;
		n = write(fd, patterns[w], len);
		if (n > 0)
			t->bytes_written += n;
		t->writes++;
		if (n != (ssize_t)len) {
			fprintf(stderr, "worker %d: write gave %zd (%s), want %zu\n", w, n,
				n < 0 ? errname(errno) : "short", len);
			t->errors++;
			close(fd);
			return;
		}
		/* The write set the position back to 0: this read gets the whole content. */
		n = read(fd, buf, sizeof(buf));
		t->reads++;
		if (n < 0) {
			fprintf(stderr, "worker %d: read: %s\n", w, errname(errno));
			t->errors++;
			close(fd);
			return;
		}
		t->bytes_read += n;
		if (!whole(buf, n, workers) && t->torn++ == 0)
			fprintf(stderr, "worker %d: torn read: %zd bytes, %02x %02x ... %02x\n", w, n,
				n > 0 ? buf[0] : 0, n > 1 ? buf[1] : 0, n > 0 ? buf[n - 1] : 0);
		close(fd);
		t->loops++;
	}
}

/* The stats reader: the counters, as often as it can; between two resets they only grow. */
static void stats_reader(int fd, uint64_t deadline, long max_loops, struct tally *t)
{
	struct lab_chardev_stats prev = { 0 }, s;

	while (!over(deadline, t->loops, max_loops)) {
		if (ioctl(fd, LAB_CHARDEV_STATS, &s) < 0) {
			fprintf(stderr, "stats reader: %s\n", errname(errno));
			t->errors++;
			return;
		}
		t->stats_calls++;
		if (s.bytes_read < prev.bytes_read || s.bytes_written < prev.bytes_written ||
		    s.opens < prev.opens) {
			fprintf(stderr, "stats reader: counters went back\n");
			t->errors++;
			return;
		}
		prev = s;
		t->loops++;
	}
}

static int child_failed(const char *who, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "%s: killed by signal %d\n", who, WTERMSIG(status));
	else
		fprintf(stderr, "%s: exit status %d\n", who, WEXITSTATUS(status));
	return 1;
}

/*
 * hammer N SECONDS [LOOPS]: after a RESET, N worker processes loop open/write/read/close,
 * each with its own pattern, while one more process reads the counters through the ioctl,
 * for SECONDS or LOOPS loops each (default 1000000), whichever ends first. Each reports its
 * counts through a pipe; the counters must then equal their sums exactly, and no read may
 * be torn (anything but one writer's whole pattern). Exit 0 only then. An alarm of
 * SECONDS + 60 kills a child stuck in the device, which fails the run. Prints the sums
 * (ops: opens + writes + reads + stats ioctls) and the counters, "exact" or "MISMATCH".
 * Without counters (torn N LOOPS): the workers alone, no RESET, no reader, no comparison;
 * exit 0 when no read was torn and no call failed.
 */
static int hammer(int fd, int workers, long seconds, long max_loops, int counters)
{
	struct lab_chardev_stats s;
	struct sigaction sa = { .sa_handler = on_term };
	struct tally t, sum = { 0 };
	pid_t pids[MAX_WORKERS + 1];
	int p[2], go[2], i, w, status, records = 0, failed = 0;
	uint64_t deadline = 0, ops;

	for (w = 0; w < workers; w++)
		for (i = 0; i < CAPACITY; i++)
			patterns[w][i] = (uint8_t)(w * 97 + i * 31 + (i >> 8));
	/* Installed before fork: the reader must not miss the parent's SIGTERM. */
	if (sigaction(SIGTERM, &sa, NULL) || pipe(p) || pipe(go)) {
		perror("sigaction/pipe");
		return 2;
	}
	if (counters && ioctl(fd, LAB_CHARDEV_RESET) < 0) {
		perror("LAB_CHARDEV_RESET");
		return 2;
	}
	fflush(stdout);
	/* pids[0..N-1] the workers, pids[N] the stats reader (on the parent's open file), if any. */
	for (i = 0; i < workers + counters; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			stop = 1;
			while (--i >= 0)
				kill(pids[i], SIGKILL);
			return 2;
		}
		if (pids[i] == 0) {
			memset(&t, 0, sizeof(t));
			close(p[0]);
			close(go[1]);
			alarm(seconds + 60);
			/*
			 * The clock starts once every process is there: forking nine on the debug
			 * kernel under emulation can take longer than SECONDS, and a worker that
			 * began after the deadline would do nothing (seen, with 8 workers and 1 s).
			 */
			if (read(go[0], &deadline, sizeof(deadline)) != sizeof(deadline))
				_exit(3);
			if (i < workers) {
				t.who = i;
				worker(i, workers, deadline, max_loops, &t);
			} else {
				t.who = MAX_WORKERS;
				stats_reader(fd, deadline, max_loops, &t);
			}
			_exit(write(p[1], &t, sizeof(t)) == sizeof(t) ? 0 : 3);
		}
	}
	close(p[1]);
	close(go[0]);
	deadline = now_ns() + seconds * 1000000000ULL;
	for (i = 0; i < workers + counters; i++)
		if (write(go[1], &deadline, sizeof(deadline)) != sizeof(deadline)) {
			/* A process left without its deadline exits 3: the run fails either way. */
			perror("write");
			failed = 1;
		}
	close(go[1]);
	for (i = 0; i < workers; i++) {
		char who[32];

		snprintf(who, sizeof(who), "worker %d", i);
		waitpid(pids[i], &status, 0);
		failed |= child_failed(who, status);
	}
	/* The workers are done: the reader has nothing left to watch. */
	if (counters) {
		kill(pids[workers], SIGTERM);
		waitpid(pids[workers], &status, 0);
		failed |= child_failed("stats reader", status);
	}
	while (read(p[0], &t, sizeof(t)) == sizeof(t)) {
		records++;
		if (t.who < MAX_WORKERS && t.loops == 0) {
			fprintf(stderr, "worker %llu did not complete one loop\n", (ull)t.who);
			failed = 1;
		}
		sum.loops += t.loops;
		sum.opens += t.opens;
		sum.writes += t.writes;
		sum.bytes_written += t.bytes_written;
		sum.reads += t.reads;
		sum.bytes_read += t.bytes_read;
		sum.torn += t.torn;
		sum.stats_calls += t.stats_calls;
		sum.errors += t.errors;
	}
	if (records != workers + counters) {
		fprintf(stderr, "%d reports from %d processes\n", records, workers + counters);
		failed = 1;
	}
	if (!counters) {
		printf("torn %d processes: loops=%llu writes=%llu reads=%llu torn=%llu errors=%llu\n",
		       workers, (ull)sum.loops, (ull)sum.writes, (ull)sum.reads, (ull)sum.torn,
		       (ull)sum.errors);
		return failed || sum.torn || sum.errors;
	}
	stats(fd, &s);
	ops = sum.opens + sum.writes + sum.reads + sum.stats_calls;
	printf("hammer %d processes %lds: ops=%llu opens=%llu writes=%llu reads=%llu "
	       "bytes_written=%llu bytes_read=%llu stats_calls=%llu torn=%llu errors=%llu\n",
	       workers, seconds, (ull)ops, (ull)sum.opens, (ull)sum.writes, (ull)sum.reads,
	       (ull)sum.bytes_written, (ull)sum.bytes_read, (ull)sum.stats_calls, (ull)sum.torn,
	       (ull)sum.errors);
	if (s.bytes_read != sum.bytes_read || s.bytes_written != sum.bytes_written ||
	    s.opens != sum.opens) {
		printf("ioctl: bytes_read=%llu bytes_written=%llu opens=%llu: MISMATCH\n",
		       (ull)s.bytes_read, (ull)s.bytes_written, (ull)s.opens);
		failed = 1;
	} else {
		printf("ioctl: bytes_read=%llu bytes_written=%llu opens=%llu: exact\n",
		       (ull)s.bytes_read, (ull)s.bytes_written, (ull)s.opens);
	}
	return failed || sum.torn || sum.errors;
}

static void usage(void)
{
	fprintf(stderr, "usage: chardev_stress badcmd [all]\n"
			"       chardev_stress badptr|badwrite|badread [low|null|kernel|edge]\n"
			"       chardev_stress write SIZE [FILE]|writev SIZE SIZE|pread OFFSET|lseek OFFSET\n"
			"       chardev_stress hammer N SECONDS [LOOPS]|torn N LOOPS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct lab_chardev_stats s;
	const char *cmd;
	long long ret;
	int fd, err;

	if (argc < 2)
		usage();
	cmd = argv[1];
	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		perror(DEV);
		return 2;
	}
	if (!strcmp(cmd, "hammer") && (argc == 4 || argc == 5)) {
		long n = num(argv[2]), seconds = num(argv[3]);
		long loops = argc == 5 ? num(argv[4]) : 1000000;

		if (n < 1 || n > MAX_WORKERS || seconds < 1 || seconds > 3600 || loops < 1)
			usage();
		return hammer(fd, n, seconds, loops, 1);
	}
	if (!strcmp(cmd, "torn") && argc == 4) {
		long n = num(argv[2]), loops = num(argv[3]);

		if (n < 1 || n > MAX_WORKERS || loops < 1)
			usage();
		/* The child's alarm is 60 s past this: a worker stuck in the device fails the run. */
		return hammer(fd, n, 600, loops, 0);
	}
	if (!strcmp(cmd, "badcmd") && argc == 3 && !strcmp(argv[2], "all"))
		return badcmds(fd);

	/* From here on one call each; err is its errno, before anything else can change it. */
	stats(fd, &s);
	if (!strcmp(cmd, "badcmd") && argc == 2) {
		ret = ioctl(fd, _IO('L', 99));
		err = errno;
		return single(fd, &s, ret, err, NONE, ENOTTY);
	}
	if (!strcmp(cmd, "badptr") && argc <= 3) {
		ret = ioctl(fd, LAB_CHARDEV_STATS, where(argc == 3 ? argv[2] : "low"));
		err = errno;
		return single(fd, &s, ret, err, NONE, EFAULT);
	}
	if (!strcmp(cmd, "badwrite") && argc <= 3) {
		/* volatile keeps the compiler from judging the address. */
		void *volatile bad = where(argc == 3 ? argv[2] : "low");

		ret = write(fd, bad, 64);
		err = errno;
		return single(fd, &s, ret, err, WRITTEN, EFAULT);
	}
	if (!strcmp(cmd, "badread") && argc <= 3) {
		void *volatile bad = where(argc == 3 ? argv[2] : "low");

		ret = read(fd, bad, CAPACITY);
		err = errno;
		return single(fd, &s, ret, err, READ, EFAULT);
	}
	if (!strcmp(cmd, "write") && (argc == 3 || argc == 4)) {
		long long size = num(argv[2]);
		char *buf;

		if (size < 0 || size > 64 << 20)
			usage();
		buf = calloc(1, size + 1);
		if (!buf) {
			perror("calloc");
			return 2;
		}
		if (argc == 4) {
			int in = open(argv[3], O_RDONLY);
			long long got = 0;
			ssize_t n = 1;

			while (in >= 0 && got < size && (n = read(in, buf + got, size - got)) > 0)
				got += n;
			if (in < 0 || n < 0) {
				perror(argv[3]);
				return 2;
			}
			close(in);
		}
		ret = write(fd, buf, size);
		err = errno;
		return single(fd, &s, ret, err, WRITTEN, 0);
	}
	if (!strcmp(cmd, "writev") && argc == 4) {
		static char zeros[CAPACITY * 2];
		struct iovec iov[2] = {
			{ zeros, num(argv[2]) },
			{ zeros, num(argv[3]) },
		};

		if (iov[0].iov_len > sizeof(zeros) || iov[1].iov_len > sizeof(zeros))
			usage();
		ret = writev(fd, iov, 2);
		err = errno;
		return single(fd, &s, ret, err, WRITTEN, 0);
	}
	if (!strcmp(cmd, "pread") && argc == 3) {
		static char buf[CAPACITY];

		ret = pread(fd, buf, sizeof(buf), num(argv[2]));
		err = errno;
		return single(fd, &s, ret, err, READ, 0);
	}
	if (!strcmp(cmd, "lseek") && argc == 3) {
		ret = lseek(fd, num(argv[2]), SEEK_SET);
		err = errno;
		return single(fd, &s, ret, err, NONE, 0);
	}
	usage();
	return 2;
}
