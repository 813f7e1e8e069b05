#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton/lines.h"

#define BLOCK (256 * 1024)

int baton_lines_init(struct baton_lines *lr, int fd, int64_t offset, size_t max_line)
{
	memset(lr, 0, sizeof *lr);
	lr->fd = fd;
	lr->offset = offset;
	lr->limit = -1;
	lr->max_line = max_line ? max_line : 16 * 1024 * 1024;
	lr->alloc = BLOCK * 2;
	lr->buf = malloc(lr->alloc + 1);
	return lr->buf ? 0 : -1;
}

void baton_lines_release(struct baton_lines *lr)
{
	free(lr->buf);
	lr->buf = NULL;
}

/* Read more bytes after buf[end]. Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(struct baton_lines *lr)
{
	if (lr->start > 0 && lr->start == lr->end) {
		lr->start = lr->end = 0;
	} else if (lr->start > 0 && lr->end + BLOCK > lr->alloc) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	if (lr->end + BLOCK > lr->alloc) {
		size_t want = lr->end + BLOCK;
		char *p = realloc(lr->buf, want + 1);
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		lr->buf = p;
		lr->alloc = want;
	}
	size_t room = lr->alloc - lr->end;
	int64_t pos = lr->offset + (int64_t)(lr->end - lr->start);
	if (lr->limit >= 0) {
		if (pos >= lr->limit)
			return 0;
		if ((int64_t)room > lr->limit - pos)
			room = (size_t)(lr->limit - pos);
	}
	for (;;) {
		ssize_t r = pread(lr->fd, lr->buf + lr->end, room, pos);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0)
			lr->end += (size_t)r;
		return r;
	}
}

int baton_lines_next(struct baton_lines *lr, char **line, size_t *len, int64_t *line_offset)
{
	size_t scanned = 0; /* bytes of the current line already searched for '\n' */
	int skipping = 0;
	int64_t skip_start = 0;
	for (;;) {
		char *s = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl = memchr(s + scanned, '\n', avail - scanned);
		if (nl) {
			size_t n = (size_t)(nl - s);
			int64_t at = lr->offset;
			lr->start += n + 1;
			lr->offset += (int64_t)n + 1;
			if (skipping || n > lr->max_line) {
				lr->skipped_long++;
				skipping = 0;
				scanned = 0;
				continue;
			}
			*nl = '\0';
			*line = s;
			*len = n;
			if (line_offset)
				*line_offset = at;
			return 1;
		}
		scanned = avail;
		if (avail > lr->max_line) {
			/* too long: drop what we have and skip to the next newline */
			if (!skipping)
				skip_start = lr->offset;
			skipping = 1;
			lr->offset += (int64_t)avail;
			lr->start = lr->end = 0;
			scanned = 0;
		}
		ssize_t r = fill(lr);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (skipping) {
				/* the long line is not finished: resume at its start next time */
				lr->offset = skip_start;
				lr->start = lr->end = 0;
			}
			lr->eof = 1;
			return 0;
		}
	}
}
