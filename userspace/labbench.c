// SPDX-License-Identifier: GPL-2.0
/*
 * labbench: the timed loops of `make bench` (scripts/guest/bench.sh), inside the lab VM.
 *
 *   labbench read FILE BS SECONDS      pread(2) of BS bytes at offset 0, again and again
 *   labbench write FILE BS SECONDS     write(2) of BS bytes, again and again
 *   labbench open FILE SECONDS         open(2) + close(2)
 *   labbench lock FILE N W [LOCK]      W processes each write "N W [LOCK]" to a lab_sync file
 *   labbench load KO NAME SECONDS      finit_module(2) + delete_module(2) of KO (module NAME)
 *
 * Prints one line "value=V unit=U ops=O seconds=S": MB/s for read and write, ops/s for open,
 * increments/s for lock, microseconds per load+unload for load. Exit 1 when a call fails.
 *
 * Why a program and not dd in a shell loop: the device holds 4 KiB, so one dd sees EOF after
 * 4 KiB and a new dd (fork + exec) per 4 KiB would time process creation, not the driver.
 * Here the loop is one process, and the clock is read once per batch of calls (batches grow
 * until one takes 20 ms), so it adds next to nothing to what is measured.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

enum op { OP_READ, OP_WRITE, OP_OPEN, OP_LOAD };

struct target {
	enum op op;
	const char *path; /* FILE, or KO */
	const char *name; /* module NAME */
	int fd;
	char *buf;
	size_t bs;
};

/* One call of the operation; returns the bytes moved. */
static size_t one(struct target *t)
{
	ssize_t n = 0;
	int fd;

	switch (t->op) {
	case OP_READ:
		n = pread(t->fd, t->buf, t->bs, 0);
		if (n < 0)
			die("read");
		break;
	case OP_WRITE:
		n = write(t->fd, t->buf, t->bs);
		if (n != (ssize_t)t->bs)
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
	}
	return n;
}

/* Runs the operation for at least SECONDS; prints the result line. */
static int timed(struct target *t, double seconds)
{
	unsigned long ops = 0, batch = 1, i;
	double bytes = 0, start = now(), t0 = start, end;

	for (;;) {
		for (i = 0; i < batch; i++)
			bytes += one(t);
		ops += batch;
		end = now();
		if (end - start >= seconds)
			break;
		if (end - t0 < 0.02)
			batch *= 2;
		t0 = end;
	}
	end -= start;
	switch (t->op) {
	case OP_READ:
	case OP_WRITE:
		printf("value=%.3f unit=MB/s", bytes / end / 1e6);
		break;
	case OP_OPEN:
		printf("value=%.0f unit=ops/s", ops / end);
		break;
	case OP_LOAD:
		printf("value=%.0f unit=us", end / ops * 1e6);
		break;
	}
	printf(" ops=%lu seconds=%.3f\n", ops, end);
	return 0;
}

/* W writer processes, released together; the module's own gate lines them up again. */
static int lock(const char *file, long n, long w, const char *which)
{
	char line[64];
	int go[2], i, status, ok = 1;
	double start, end;
	char c;

	if (w > 1)
		snprintf(line, sizeof(line), "%ld %ld %s", n, w, which);
	else
		snprintf(line, sizeof(line), "%ld %s", n, which);
	if (pipe(go))
		die("pipe");
	for (i = 0; i < w; i++) {
		switch (fork()) {
		case -1:
			die("fork");
		case 0: {
			int fd = open(file, O_WRONLY);

			close(go[1]);
			if (fd < 0 || read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(write(fd, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1);
		}
		}
	}
	close(go[0]);
	start = now();
	close(go[1]); /* every child's read returns: go */
	for (i = 0; i < w; i++) {
		if (wait(&status) < 0)
			die("wait");
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	end = now() - start;
	if (!ok) {
		fprintf(stderr, "labbench: a writer of '%s' to %s failed\n", line, file);
		return 1;
	}
	printf("value=%.0f unit=increments/s ops=%ld seconds=%.3f\n", n * w / end, n * w, end);
	return 0;
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

int main(int argc, char **argv)
{
	struct target t = { 0 };
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "lock") && (argc == 5 || argc == 6))
		return lock(argv[2], num(argv[3]), num(argv[4]), argc == 6 ? argv[5] : "");
	if ((!strcmp(cmd, "read") || !strcmp(cmd, "write")) && argc == 5) {
		t.op = cmd[0] == 'r' ? OP_READ : OP_WRITE;
		t.bs = num(argv[3]);
		t.buf = malloc(t.bs);
		if (!t.buf)
			die("malloc");
		memset(t.buf, 'x', t.bs);
		t.fd = open(argv[2], t.op == OP_READ ? O_RDONLY : O_WRONLY);
		if (t.fd < 0)
			die(argv[2]);
		return timed(&t, atof(argv[4]));
	}
	if (!strcmp(cmd, "open") && argc == 4) {
		t.op = OP_OPEN;
		t.path = argv[2];
		return timed(&t, atof(argv[3]));
	}
	if (!strcmp(cmd, "load") && argc == 5) {
		t.op = OP_LOAD;
		t.name = argv[3];
		t.fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (t.fd < 0)
			die(argv[2]);
		return timed(&t, atof(argv[4]));
	}
	fprintf(stderr, "usage: labbench read|write FILE BS SECONDS | open FILE SECONDS |\n"
			"       lock FILE N W [mutex|spinlock] | load KO NAME SECONDS\n");
	return 2;
}
