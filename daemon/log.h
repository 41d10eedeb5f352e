/* SPDX-License-Identifier: ISC */
/*
 * log: hirobad's messages, to stderr (journald reads them from there). Library modules
 * never log; the daemon logs once, where it knows the context.
 */
#ifndef HIROBA_LOG_H
#define HIROBA_LOG_H

#include <stdarg.h>

#define HB_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* verbose: 1 also prints log_debug, -1 prints only fatal errors. Under journald (JOURNAL_STREAM set) each line gets a
 * <N> priority prefix instead of a time stamp. */
void	log_init(int verbose, const char *procname);
void	log_setverbose(int verbose);
void	log_warn(const char *fmt, ...) HB_PRINTF(1, 2);	/* appends strerror(errno) */
void	log_warnx(const char *fmt, ...) HB_PRINTF(1, 2);
void	log_info(const char *fmt, ...) HB_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) HB_PRINTF(1, 2);
void	fatal(const char *fmt, ...) HB_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *fmt, ...) HB_PRINTF(1, 2) __attribute__((noreturn));

#endif
