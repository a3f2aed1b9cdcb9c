// SPDX-License-Identifier: GPL-2.0
/*
 * labbench: the timed loops of `make bench` (scripts/guest/bench.sh), inside the lab VM.
 * One call times one row on several targets (Rust, C, the ceiling), interleaved finely:
 *
 *   labbench [-b BATCHES] [-t SECONDS] read BS ROUNDS LABEL=FILE...   pread(2) of BS bytes at 0
 *   labbench [-b BATCHES] [-t SECONDS] write BS ROUNDS LABEL=FILE...  write(2) of BS bytes
 *   labbench [-b BATCHES] [-t SECONDS] open ROUNDS LABEL=FILE...      open(2) + close(2)
 *   labbench [-b BATCHES] lock N W LOCK ROUNDS LABEL=FILE...   W processes write "N W LOCK"
 *                                                              to a lock module's file, together
 *   labbench [-b BATCHES] load ROUNDS LABEL=KO:NAME...         finit_module + delete_module
 *
 * The unit of timing is a batch: a fixed count of calls (calibrated once, in the warm-up, so
 * that a batch takes about SECONDS, default 0.0005; the same count for every target), or for
 * lock one write of N increments per writer, or for load one load+unload. A slot is BATCHES
 * batches (default 8) on one target. A round visits the targets forward and then backward
 * (A B B A; the next round B A A B), so both get the same share of any drift. Each round
 * prints, per target,
 *
 *   LABEL ROUND BEST MEDIAN UNIT
 *
 * BEST is the fastest batch of the round on that target, MEDIAN the median batch, as a rate
 * (MB/s for read and write, ops/s for open, increments/s for lock) or a time (us per
 * load+unload). Why the fastest: the VM's CPUs are host threads that other host work preempts,
 * which can only make a batch slower; a batch of half a millisecond is often left alone, and
 * the fastest of 16 is what the code costs. A warm-up slot per target comes first and is not
 * printed. lock checks the counts: every increment asked for, exactly, on LOCK's count, and
 * none on the other lock's. Exit 1 on any failure.
 *
 * The lock modules, bench/lab_sync_rs.rs and bench/lab_sync_c.c, take "N [W] mutex|spinlock"
 * and show "mutex=… spinlock=…".
 *
 * Why a program and not dd in a shell loop: the device holds 4 KiB, so one dd sees EOF after
 * 4 KiB and a new dd (fork + exec) per 4 KiB would time process creation, not the driver.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 4

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noreturn)) static void die(const char *what)
{
	perror(what);
	exit(1);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 1) {
		fprintf(stderr, "labbench: not a positive number: %s\n", s);
		exit(2);
	}
	return v;
}

enum op { OP_READ, OP_WRITE, OP_OPEN, OP_LOCK, OP_LOAD };

struct target {
	const char *label;
	const char *path; /* FILE, or KO */
	const char *name; /* module NAME (load) */
	int fd;
};

static struct {
	enum op op;
	struct target t[MAX_TARGETS];
	int targets;
	long rounds, batches;
	double batch_seconds;
	char *buf;
	size_t bs;
	long calls; /* per batch, for read, write, open */
	long n, w; /* lock: increments per writer, writers */
	const char *lock;
} b = { .batches = 8, .batch_seconds = 0.0005 };

/* The targets of slot S (0-based) of a round: forward, then backward; odd rounds mirrored. */
static int slot_target(long round, int s)
{
	int k = s < b.targets ? s : 2 * b.targets - 1 - s;

	return round % 2 ? b.targets - 1 - k : k;
}

/* One call of a throughput op on T. */
static void one(struct target *t)
{
	int fd;

	switch (b.op) {
	case OP_READ:
		if (pread(t->fd, b.buf, b.bs, 0) < 0)
			die("read");
		break;
	case OP_WRITE:
		if (write(t->fd, b.buf, b.bs) != (ssize_t)b.bs)
			die("write");
		break;
	case OP_OPEN:
		fd = open(t->path, O_RDWR);
		if (fd < 0)
			die("open");
		close(fd);
		break;
	case OP_LOAD:
		if (syscall(SYS_finit_module, t->fd, "", 0))
			die("finit_module");
		if (syscall(SYS_delete_module, t->name, O_NONBLOCK))
			die("delete_module");
		break;
	case OP_LOCK:
		break;
	}
}

/* One batch of a throughput op (read, write, open, load) on T: its duration in seconds. */
static double batch(struct target *t)
{
	double start = now();
	long i;

	for (i = 0; i < b.calls; i++)
		one(t);
	return now() - start;
}

/* Bytes (read, write) or calls (open, load) of one batch. */
static double work(void)
{
	if (b.op == OP_LOCK)
		return (double)b.n * b.w;
	if (b.op == OP_READ) /* the device holds 4 KiB: a longer pread gets 4096 bytes */
		return (double)b.calls * (b.bs < 4096 ? b.bs : 4096);
	return (double)b.calls * (b.op == OP_WRITE ? b.bs : 1);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;

	return (a > c) - (a < c);
}

/* A batch's duration as the row's unit. */
static double value(double seconds)
{
	switch (b.op) {
	case OP_READ:
	case OP_WRITE:
		return work() / seconds / 1e6;
	case OP_LOAD:
		return seconds / b.calls * 1e6;
	default:
		return work() / seconds;
	}
}

static const char *unit(void)
{
	static const char *const units[] = { "MB/s", "MB/s", "ops/s", "increments/s", "us" };

	return units[b.op];
}

/*
 * Prints a round: D[target][i] holds the durations of that target's batches in the round
 * (2 * batches of them, in seconds).
 */
static void report(long round, double *d)
{
	long per = 2 * b.batches;
	int t;

	for (t = 0; t < b.targets; t++) {
		double *x = d + t * per;

		qsort(x, per, sizeof(*x), cmp_double);
		printf("%s %ld %.6g %.6g %s\n", b.t[t].label, round, value(x[0]),
		       value(per % 2 ? x[per / 2] : (x[per / 2 - 1] + x[per / 2]) / 2), unit());
	}
	fflush(stdout);
}

/* read, write, open, load: calibrates the batch on the first target, then the rounds. */
static int throughput(void)
{
	long per = 2 * b.batches, round, i;
	double *d = calloc(b.targets * per, sizeof(*d));
	int s, t, seen[MAX_TARGETS];

	if (!d)
		die("calloc");
	/* Warm-up and calibration: double the calls per batch until one takes batch_seconds. */
	b.calls = 1;
	if (b.op != OP_LOAD)
		while (batch(&b.t[0]) < b.batch_seconds && b.calls < (1L << 30))
			b.calls *= 2;
	for (t = 0; t < b.targets; t++)
		for (i = 0; i < b.batches; i++)
			batch(&b.t[t]);
	for (round = 1; round <= b.rounds; round++) {
		memset(seen, 0, sizeof(seen));
		for (s = 0; s < 2 * b.targets; s++) {
			t = slot_target(round, s);
			for (i = 0; i < b.batches; i++)
				d[t * per + seen[t]++] = batch(&b.t[t]);
		}
		report(round, d);
	}
	free(d);
	return 0;
}

/* The count of LOCK ("mutex" or "spinlock") in the lock module's file FILE. */
static unsigned long long count(const char *file, const char *lock)
{
	char text[256], key[32], *p;
	int fd = open(file, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		die(file);
	n = read(fd, text, sizeof(text) - 1);
	if (n < 0)
		die(file);
	close(fd);
	text[n] = '\0';
	snprintf(key, sizeof(key), "%s=", lock);
	p = strstr(text, key);
	if (!p) {
		fprintf(stderr, "labbench: no %s in %s: %s\n", key, file, text);
		exit(1);
	}
	return strtoull(p + strlen(key), NULL, 10);
}

/*
 * lock: W writer processes go through the same schedule of batches; in each batch every
 * writer writes "N W LOCK" to that slot's file, whose gate (the module's own) starts them
 * together. A batch lasts from the last writer's start to the last writer's end.
 */
static int lock(void)
{
	long per = 2 * b.batches, total = (b.rounds + 1) * 2 * b.targets * b.batches;
	/* [writer][batch] start and end times, shared with the writers */
	double *st = mmap(NULL, 2 * b.w * total * sizeof(double), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double *en = st + b.w * total, *d = calloc(b.targets * per, sizeof(*d));
	const char *other = strcmp(b.lock, "mutex") ? "mutex" : "spinlock";
	unsigned long long before[MAX_TARGETS], other_before[MAX_TARGETS];
	int t, s, status, ok = 1, seen[MAX_TARGETS];
	long j, round, i, k, w;
	char line[64];

	if (st == MAP_FAILED || !d)
		die("mmap");
	if (b.w > 1)
		snprintf(line, sizeof(line), "%ld %ld %s", b.n, b.w, b.lock);
	else
		snprintf(line, sizeof(line), "%ld %s", b.n, b.lock);
	for (t = 0; t < b.targets; t++) {
		before[t] = count(b.t[t].path, b.lock);
		other_before[t] = count(b.t[t].path, other);
	}
	for (w = 0; w < b.w; w++) {
		switch (fork()) {
		case -1:
			die("fork");
		case 0: {
			int fd[MAX_TARGETS];

			for (t = 0; t < b.targets; t++) {
				fd[t] = open(b.t[t].path, O_WRONLY);
				if (fd[t] < 0)
					_exit(1);
			}
			/* Round 0 is the warm-up: the same schedule, not reported. */
			for (j = 0, round = 0; round <= b.rounds; round++)
				for (s = 0; s < 2 * b.targets; s++)
					for (i = 0, t = slot_target(round, s); i < b.batches; i++, j++) {
						st[w * total + j] = now();
						if (write(fd[t], line, strlen(line)) != (ssize_t)strlen(line))
							_exit(1);
						en[w * total + j] = now();
					}
			_exit(0);
		}
		}
	}
	for (w = 0; w < b.w; w++) {
		if (wait(&status) < 0)
			die("wait");
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	if (!ok) {
		fprintf(stderr, "labbench: a writer of '%s' failed\n", line);
		return 1;
	}
	for (t = 0; t < b.targets; t++) {
		unsigned long long got = count(b.t[t].path, b.lock) - before[t];
		unsigned long long want = (unsigned long long)b.n * b.w * (b.rounds + 1) * 2 * b.batches;

		/* A fast but wrong counter would be worthless: every increment asked for, exactly, */
		if (got != want) {
			fprintf(stderr, "labbench: %s: %llu %s increments, want %llu\n", b.t[t].label,
				got, b.lock, want);
			return 1;
		}
		/* and under the lock named alone: the other count, under the other lock, stays. */
		got = count(b.t[t].path, other) - other_before[t];
		if (got) {
			fprintf(stderr, "labbench: %s: %llu %s increments, want none (writes of %s)\n",
				b.t[t].label, got, other, b.lock);
			return 1;
		}
	}
	for (j = 2 * b.targets * b.batches, round = 1; round <= b.rounds; round++) {
		memset(seen, 0, sizeof(seen));
		for (s = 0; s < 2 * b.targets; s++)
			for (i = 0, t = slot_target(round, s); i < b.batches; i++, j++) {
				double start = st[j], end = en[j];

				for (k = 1; k < b.w; k++) {
					if (st[k * total + j] > start)
						start = st[k * total + j];
					if (en[k * total + j] > end)
						end = en[k * total + j];
				}
				d[t * per + seen[t]++] = end - start;
			}
		report(round, d);
	}
	return 0;
}

/* LABEL=FILE (or LABEL=KO:NAME for load) into a target. */
static void target(char *arg)
{
	struct target *t = &b.t[b.targets++];
	char *eq = strchr(arg, '=');

	if (!eq || b.targets > MAX_TARGETS) {
		fprintf(stderr, "labbench: want LABEL=FILE (at most %d): %s\n", MAX_TARGETS, arg);
		exit(2);
	}
	*eq = '\0';
	t->label = arg;
	t->path = eq + 1;
	t->fd = -1;
	if (b.op == OP_LOAD) {
		char *colon = strrchr(t->path, ':');

		if (!colon) {
			fprintf(stderr, "labbench: load wants LABEL=KO:NAME: %s\n", t->path);
			exit(2);
		}
		*colon = '\0';
		t->name = colon + 1;
		t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
	} else if (b.op == OP_READ || b.op == OP_WRITE) {
		t->fd = open(t->path, b.op == OP_READ ? O_RDONLY : O_WRONLY);
	} else {
		return;
	}
	if (t->fd < 0)
		die(t->path);
}

static __attribute__((noreturn)) void usage(void)
{
	fprintf(stderr,
		"usage: labbench [-b BATCHES] [-t SECONDS] read|write BS ROUNDS LABEL=FILE... |\n"
		"       open ROUNDS LABEL=FILE... | lock N W mutex|spinlock ROUNDS LABEL=FILE... |\n"
		"       load ROUNDS LABEL=KO:NAME...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;
	int opt, i;

	while ((opt = getopt(argc, argv, "+b:t:")) != -1) {
		if (opt == 'b')
			b.batches = num(optarg);
		else if (opt == 't')
			b.batch_seconds = atof(optarg);
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	cmd = argv[0];
	if (!strcmp(cmd, "read") || !strcmp(cmd, "write")) {
		b.op = cmd[0] == 'r' ? OP_READ : OP_WRITE;
		b.bs = num(argv[1]);
		b.buf = malloc(b.bs);
		if (!b.buf)
			die("malloc");
		memset(b.buf, 'x', b.bs);
		i = 2;
	} else if (!strcmp(cmd, "open")) {
		b.op = OP_OPEN;
		i = 1;
	} else if (!strcmp(cmd, "load")) {
		b.op = OP_LOAD;
		i = 1;
	} else if (!strcmp(cmd, "lock") && argc >= 6) {
		b.op = OP_LOCK;
		b.n = num(argv[1]);
		b.w = num(argv[2]);
		b.lock = argv[3];
		i = 4;
	} else {
		usage();
	}
	if (i + 1 >= argc)
		usage();
	b.rounds = num(argv[i]);
	for (i++; i < argc; i++)
		target(argv[i]);
	if (b.op == OP_LOCK)
		return lock();
	return throughput();
}
