/* SPDX-License-Identifier: ISC */
/*
 * store_compact: rewrite data.mdb without its free pages, so that deleted records (erased
 * personal data, purged listings) are gone from the file and not only from the tree.
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

#define COMPACT_TMP	"compact.tmp"

/* fsync a directory, so that a rename in it is on disk. */
static int
dir_sync(const char *dir)
{
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno;
	if (fsync(fd) != 0)
		rc = errno;
	close(fd);
	return rc;
}

/*
 * Another process with the env open (hirobad -B taking a backup) holds a shared fcntl
 * lock on byte 0 of lock.mdb, as LMDB does. Ours went with our env, so if the write
 * lock is ours now, nobody else has the file open, and until we drop it nobody can open
 * it (LMDB waits for this lock). Returns the lock file's fd, -2 if there is no lock
 * file, or -1 with errno (EBUSY: the file is open elsewhere).
 */
static int
lock_exclusive(const char *dir)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0,
	    .l_len = 1 };
	char *path;
	int fd;

	if (asprintf(&path, "%s/lock.mdb", dir) < 0)
		return errno = ENOMEM, -1;
	fd = open(path, O_RDWR | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return errno == ENOENT ? -2 : -1;
	if (fcntl(fd, F_SETLK, &fl) != 0) {
		close(fd);
		return errno = EBUSY, -1;
	}
	return fd;
}

int
store_compact(struct store *st)
{
	char *tmpdir = NULL, *tmp = NULL, *data = NULL;
	int fd = -1, lockfd = -1, rc, tries;
	bool locked = false, closed = false;

	if (asprintf(&tmpdir, "%s/" COMPACT_TMP, st->dir) < 0 ||
	    asprintf(&tmp, "%s/data.mdb", tmpdir) < 0 ||
	    asprintf(&data, "%s/data.mdb", st->dir) < 0) {
		rc = ENOMEM;
		goto out;
	}
	/* What an earlier compact left when it crashed before its rename. */
	unlink(tmp);
	if (mkdir(tmpdir, 0700) != 0 && errno != EEXIST) {
		rc = errno;
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = errno;
		goto out;
	}

	/* No txn may be active from the copy to the reopen: the copy must hold every
	 * commit, and LMDB forbids closing an env under a live txn. */
	pthread_rwlock_wrlock(&st->lock);
	locked = true;
	if (st->env == NULL) {
		rc = STORE_ECORRUPT;
		goto out;
	}
	for (tries = 0;; tries++) {
		rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
		if (rc != MDB_MAP_RESIZED || tries >= 5)
			break;
		if (mdb_env_set_mapsize(st->env, 0) != 0 || ftruncate(fd, 0) != 0 ||
		    lseek(fd, 0, SEEK_SET) != 0) {
			rc = errno ? errno : EIO;
			goto out;
		}
	}
	if (rc != 0) {
		rc = store_lmdb_err(rc);
		goto out;
	}
	/* The new file is complete on disk before it can replace the old one. */
	if (fsync(fd) != 0 || close(fd) != 0) {
		rc = errno;
		fd = -1;
		goto out;
	}
	fd = -1;

	mdb_env_close(st->env);
	st->env = NULL;
	closed = true;
	if ((lockfd = lock_exclusive(st->dir)) == -1) {
		rc = errno;
		goto out;
	}
	/* rename is atomic: a crash leaves the old file or the new one, each complete. */
	if (rename(tmp, data) != 0 || (rc = dir_sync(st->dir)) != 0) {
		rc = rc ? rc : errno;
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	if (tmpdir != NULL)
		rmdir(tmpdir);
	/* Reopen, the new file or (on failure) the old one. Our lock on lock.mdb goes
	 * when its fd is closed; LMDB takes its own. */
	if (closed) {
		int orc;

		if (lockfd >= 0)
			close(lockfd);
		lockfd = -1;
		if ((orc = store_env_open(st, false)) != 0 && rc == 0)
			rc = orc;
	}
	if (lockfd >= 0)
		close(lockfd);
	if (locked)
		pthread_rwlock_unlock(&st->lock);
	free(tmpdir);
	free(tmp);
	free(data);
	return rc;
}
