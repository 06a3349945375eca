/*
 * maxrss CMD [ARGS...]: run CMD (stdout and stderr to /dev/null) and print
 * its peak resident set size in KiB (Linux ru_maxrss), or "nan" if it could
 * not run or exited non-zero.
 *
 * The fallback of tests/bench/run.sh when GNU time is missing.  It exists
 * because Linux carries the pre-exec address space's high-water mark into
 * ru_maxrss: a child forked from python3 reports at least python's own
 * ~10-15 MiB, whatever it execs.  Forked from this small program the floor
 * is about 1 MiB, as with GNU time.
 *
 * Built by run.sh into its temporary directory; not part of the build.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage	ru;
	pid_t		pid;
	int		status, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: maxrss CMD [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid == -1) {
		perror("maxrss: fork");
		return 1;
	}
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("maxrss: wait4");
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("nan\n");
	else
		printf("%ld\n", ru.ru_maxrss);
	return 0;
}
