// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mdfault: the fault-injecting meta_dev wrapper (see meta_dev_fault.h).
 *
 * Each wrapped device keeps a list of pending writes (not yet flushed), in
 * the order they were issued.  A read goes to the lower device and then has
 * every pending write that overlaps it copied over it, oldest first.  A
 * flush writes the pending list to the lower device, flushes it, and empties
 * the list.  A crash decides, per its variant, which pending writes of every
 * device reach the lower device, writes those, and marks the controller
 * dead.
 *
 * Durable writes: a single one (meta_dev_write_sync()) is a write and a
 * flush of its device.  Several at once (meta_dev_write_sync_many(): one
 * slot on every replica) have no order among them, so the wrapper first
 * makes every write pending, counting each as a write (a crash or a
 * failure may fire at any of them), and only then flushes each device: a
 * crash at the k-th write of the call leaves the earlier ones unflushed,
 * and the crash variant decides which of them reached the media, as it
 * would for writes in flight together.  Plain writes at once
 * (meta_dev_write_many(): the unflushed clear of a change-log slot) are
 * made pending the same way and left so: not durable until a flush of
 * their device, as a single mdo_write, so a crash before it loses or
 * keeps them as the variant says.  Every batch of two or more writes is
 * counted (mdfault_batches()), so that a test can tell a batch from
 * writes made one by one.  Flushes at once (meta_dev_flush_many(): the
 * drives of an unflushed clear) are each exactly mdf_flush() of its
 * device, in turn: that device's pending writes made durable, nothing
 * else; no crash fires in a flush (a crash is armed on writes), so a
 * crash before the batch loses what it would have flushed and one after
 * it keeps that.  Batches of two or more flushes are counted too
 * (mdfault_flush_batches()).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <oban/debug.h>

#include "meta_dev_fault.h"

struct mdf_pending {
	struct mdf_pending *mp_next;
	uint64_t mp_off;
	size_t mp_len;
	void *mp_buf;
};

struct mdf_dev {
	struct meta_dev fd_dev; /* first: the wrapper is a meta_dev */
	struct meta_dev *fd_lower;
	struct mdfault_ctl *fd_ctl;
	struct mdf_pending *fd_head, *fd_tail;
	struct mdf_dev *fd_next; /* on the controller's list */
	bool fd_failed; /* MDF_FAIL_DEV fired on this device */
	uint64_t fd_rerr_off, fd_rerr_len;
};

struct mdfault_ctl {
	enum mdfault_mode fc_mode;
	enum mdfault_crash fc_variant;
	uint64_t fc_n, fc_writes;
	uint64_t fc_batches[2]; /* of two writes or more: [0] plain, [1]
				   durable */
	uint64_t fc_fbatches; /* of two flushes or more */
	bool fc_fired, fc_dead;
	struct mdf_dev *fc_devs;
};

struct mdfault_ctl *mdfault_ctl_create(void)
{
	return calloc(1, sizeof(struct mdfault_ctl));
}

void mdfault_ctl_destroy(struct mdfault_ctl *c)
{
	free(c);
}

void mdfault_arm(struct mdfault_ctl *c, enum mdfault_mode mode, uint64_t n,
		 enum mdfault_crash variant)
{
	c->fc_mode = mode;
	c->fc_n = n;
	c->fc_variant = variant;
	c->fc_writes = 0;
	c->fc_batches[0] = c->fc_batches[1] = 0;
	c->fc_fbatches = 0;
	c->fc_fired = false;
	c->fc_dead = false; /* rebooted */
}

uint64_t mdfault_writes(const struct mdfault_ctl *c)
{
	return c->fc_writes;
}

uint64_t mdfault_batches(const struct mdfault_ctl *c, bool sync)
{
	return c->fc_batches[sync ? 1 : 0];
}

uint64_t mdfault_flush_batches(const struct mdfault_ctl *c)
{
	return c->fc_fbatches;
}

bool mdfault_fired(const struct mdfault_ctl *c)
{
	return c->fc_fired;
}

static void mdf_pending_free(struct mdf_dev *f)
{
	struct mdf_pending *p, *n;

	for (p = f->fd_head; p != NULL; p = n) {
		n = p->mp_next;
		free(p->mp_buf);
		free(p);
	}
	f->fd_head = f->fd_tail = NULL;
}

static int mdf_lower_write(struct mdf_dev *f, const void *buf, size_t len,
			   uint64_t off)
{
	return f->fd_lower->md_ops->mdo_write(f->fd_lower, buf, len, off);
}

/* The machine dies: apply what the variant says reached the media. */
static void mdf_crash(struct mdfault_ctl *c, struct mdf_dev *victim,
		      const void *buf, size_t len, uint64_t off)
{
	struct mdf_dev *f;
	unsigned i = 0;

	for (f = c->fc_devs; f != NULL; f = f->fd_next) {
		struct mdf_pending *p;

		for (p = f->fd_head; p != NULL; p = p->mp_next, i++) {
			bool keep = c->fc_variant == MDF_CRASH_KEEP ||
				    c->fc_variant == MDF_CRASH_TORN ||
				    (c->fc_variant == MDF_CRASH_SOME &&
				     (i % 2) == 1);
			if (keep)
				(void)mdf_lower_write(f, p->mp_buf, p->mp_len,
						      p->mp_off);
		}
		mdf_pending_free(f);
	}
	if (c->fc_variant == MDF_CRASH_TORN ||
	    c->fc_variant == MDF_CRASH_SOME) {
		uint32_t lsz = victim->fd_lower->md_lsz;
		size_t half = (len / 2) / lsz * lsz;

		if (half == 0 && len > lsz)
			half = lsz;
		if (half > 0)
			(void)mdf_lower_write(victim, buf, half, off);
	}
	c->fc_dead = true;
}

static int mdf_write(struct meta_dev *d, const void *buf, size_t len,
		     uint64_t off)
{
	struct mdf_dev *f = (struct mdf_dev *)d;
	struct mdfault_ctl *c = f->fd_ctl;
	struct mdf_pending *p;

	if (c->fc_dead || f->fd_failed)
		return -SET_ERROR(EIO);
	c->fc_writes++;
	if (c->fc_mode != MDF_NONE && !c->fc_fired && c->fc_writes == c->fc_n) {
		c->fc_fired = true;
		switch (c->fc_mode) {
		case MDF_FAIL:
			return -SET_ERROR(EIO);
		case MDF_FAIL_DEV:
			f->fd_failed = true;
			return -SET_ERROR(EIO);
		case MDF_CRASH:
			mdf_crash(c, f, buf, len, off);
			return -SET_ERROR(EIO);
		default:
			break;
		}
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->mp_buf = malloc(len)) == NULL) {
		free(p);
		return -SET_ERROR(ENOMEM);
	}
	memcpy(p->mp_buf, buf, len);
	p->mp_off = off;
	p->mp_len = len;
	if (f->fd_tail != NULL)
		f->fd_tail->mp_next = p;
	else
		f->fd_head = p;
	f->fd_tail = p;
	return 0;
}

static int mdf_read(struct meta_dev *d, void *buf, size_t len, uint64_t off)
{
	struct mdf_dev *f = (struct mdf_dev *)d;
	struct mdf_pending *p;
	int err;

	if (f->fd_ctl->fc_dead)
		return -SET_ERROR(EIO);
	if (f->fd_rerr_len > 0 && off < f->fd_rerr_off + f->fd_rerr_len &&
	    f->fd_rerr_off < off + len)
		return -SET_ERROR(EIO);
	err = f->fd_lower->md_ops->mdo_read(f->fd_lower, buf, len, off);
	if (err != 0)
		return err;
	for (p = f->fd_head; p != NULL; p = p->mp_next) {
		uint64_t lo = p->mp_off > off ? p->mp_off : off;
		uint64_t hi = p->mp_off + p->mp_len < off + len ?
				      p->mp_off + p->mp_len :
				      off + len;
		if (lo < hi)
			memcpy((char *)buf + (lo - off),
			       (char *)p->mp_buf + (lo - p->mp_off), hi - lo);
	}
	return 0;
}

static int mdf_flush(struct meta_dev *d)
{
	struct mdf_dev *f = (struct mdf_dev *)d;
	struct mdf_pending *p;
	int err;

	if (f->fd_ctl->fc_dead || f->fd_failed)
		return -SET_ERROR(EIO);
	for (p = f->fd_head; p != NULL; p = p->mp_next) {
		err = mdf_lower_write(f, p->mp_buf, p->mp_len, p->mp_off);
		if (err != 0)
			return err;
	}
	mdf_pending_free(f);
	return f->fd_lower->md_ops->mdo_flush(f->fd_lower);
}

/* Every write made pending (in flight together); durable ones then
 * flushed, plain ones left pending until their device's flush. */
static int mdf_write_many(struct meta_dev_wreq *w, int n, bool sync)
{
	int i;

	if (n > 1)
		((struct mdf_dev *)w[0].wr_dev)->fd_ctl->fc_batches[sync]++;
	for (i = 0; i < n; i++)
		w[i].wr_rc = mdf_write(w[i].wr_dev, w[i].wr_buf, w[i].wr_len,
				       w[i].wr_off);
	for (i = 0; i < n && sync; i++)
		if (w[i].wr_rc == 0)
			w[i].wr_rc = mdf_flush(w[i].wr_dev);
	return 0;
}

/* Each device flushed as by mdf_flush() alone: the batch only counted. */
static int mdf_flush_many(struct meta_dev_freq *fr, int n)
{
	int i;

	if (n > 1)
		((struct mdf_dev *)fr[0].fr_dev)->fd_ctl->fc_fbatches++;
	for (i = 0; i < n; i++)
		fr[i].fr_rc = mdf_flush(fr[i].fr_dev);
	return 0;
}

static void mdf_close(struct meta_dev *d)
{
	struct mdf_dev *f = (struct mdf_dev *)d, **pp;

	/* Closing without a flush loses the pending writes, as a crash. */
	mdf_pending_free(f);
	for (pp = &f->fd_ctl->fc_devs; *pp != NULL; pp = &(*pp)->fd_next)
		if (*pp == f) {
			*pp = f->fd_next;
			break;
		}
	meta_dev_close(f->fd_lower);
	free(f);
}

static const struct meta_dev_ops mdfault_ops = {
	.mdo_name = "fault",
	.mdo_read = mdf_read,
	.mdo_write = mdf_write,
	.mdo_flush = mdf_flush,
	.mdo_close = mdf_close,
	.mdo_write_many = mdf_write_many,
	.mdo_flush_many = mdf_flush_many,
};

int mdfault_wrap(struct meta_dev *lower, struct mdfault_ctl *c,
		 struct meta_dev **dp)
{
	struct mdf_dev *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->fd_dev = *lower;
	f->fd_dev.md_ops = &mdfault_ops;
	f->fd_dev.md_fd = -1;
	f->fd_dev.md_priv = NULL;
	f->fd_lower = lower;
	f->fd_ctl = c;
	f->fd_next = c->fc_devs;
	c->fc_devs = f;
	*dp = &f->fd_dev;
	return 0;
}

void mdfault_read_error(struct meta_dev *d, uint64_t off, uint64_t len)
{
	struct mdf_dev *f = (struct mdf_dev *)d;

	VERIFY(d->md_ops == &mdfault_ops);
	f->fd_rerr_off = off;
	f->fd_rerr_len = len;
}
