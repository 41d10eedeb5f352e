/* SPDX-License-Identifier: ISC */
/*
 * store_backup: a consistent copy of a running store, for `hirobad -B`. LMDB lets a
 * second process read while the daemon writes; one read txn gives one snapshot.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store_internal.h"

int
store_backup(struct store *st, const char *destdir)
{
	MDB_txn	*txn = NULL;
	char	*path = NULL;
	int	 fd = -1, dfd = -1, rc, tries;

	if (asprintf(&path, "%s/data.mdb", destdir) < 0) {
		path = NULL;
		rc = ENOMEM;
		goto out;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = errno;
		goto out;
	}
	/*
	 * store_txn_begin takes st->lock shared and adopts a map the daemon grew meanwhile
	 * (MDB_MAP_RESIZED). mdb_env_copyfd2 then runs in its own read txn (MDB_NOTLS allows
	 * a second one in this thread): if the daemon grows the map in between, start over.
	 */
	for (tries = 0;; tries++) {
		if ((rc = store_txn_begin(st, false, &txn)) != 0)
			goto out;
		rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
		store_txn_end(st, txn);
		txn = NULL;
		if (rc != MDB_MAP_RESIZED || tries >= 5)
			break;
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
			rc = errno;
			goto out;
		}
	}
	if (rc != 0) {
		rc = store_lmdb_err(rc);
		goto out;
	}
	/* The copy counts as taken only once it is on disk, its directory entry too. */
	if (fsync(fd) != 0) {
		rc = errno;
		goto out;
	}
	if ((dfd = open(destdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) != 0)
		rc = errno;
out:
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = errno;
	if (fd >= 0 && rc != 0)
		unlink(path);
	if (dfd >= 0)
		close(dfd);
	free(path);
	return rc;
}
