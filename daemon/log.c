/* SPDX-License-Identifier: ISC */
/*
 * log: formatted messages to stderr with a priority, in the manner of OpenBSD's log.c.
 * Under systemd the <N> prefix lets journald keep the priority.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int	 log_verbose;
static int	 log_journal;
static const char *log_procname = "hirobad";

void
log_init(int verbose, const char *procname)
{
	log_verbose = verbose;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (procname != NULL)
		log_procname = procname;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *err)
{
	char	 msg[2048];
	char	 stamp[32];
	time_t	 now;
	struct tm tm;

	if (log_verbose < 0 && pri > 2)	/* silenced (the fuzzer): fatal only */
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		if (err != NULL)
			fprintf(stderr, "<%d>%s: %s\n", pri, msg, err);
		else
			fprintf(stderr, "<%d>%s\n", pri, msg);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (err != NULL)
		fprintf(stderr, "%s %s: %s: %s\n", stamp, log_procname, msg, err);
	else
		fprintf(stderr, "%s %s: %s\n", stamp, log_procname, msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(4, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(4, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(6, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(7, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(2, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(2, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
