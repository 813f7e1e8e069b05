/* Reading a file line by line with a bounded buffer, from a byte offset.
 * A line longer than the cap is skipped whole (reported, never buffered), and a last
 * line without its newline is not returned (it may still be being written): the
 * reader's offset then stays at its start, so the next read resumes there. */
#ifndef BATON_LINES_H
#define BATON_LINES_H

#include <stddef.h>
#include <stdint.h>

struct baton_lines {
	int fd;
	char *buf;
	size_t alloc;      /* bytes allocated for buf */
	size_t start, end; /* unread bytes are buf[start..end) */
	size_t max_line;   /* longest line returned */
	int64_t offset;    /* file offset of buf[start] */
	int64_t limit;     /* stop at this offset (-1: end of file) */
	int eof;
	uint64_t skipped_long; /* lines skipped for being over max_line */
};

/* Start reading fd at offset (the descriptor stays the caller's). max_line bounds
 * memory: the buffer never grows beyond it plus one read block. */
int baton_lines_init(struct baton_lines *lr, int fd, int64_t offset, size_t max_line);
void baton_lines_release(struct baton_lines *lr);

/* Next whole line (without its '\n', NUL-terminated in place, borrowed until the next
 * call). Returns 1 with *line, *len and *line_offset set; 0 at the end (a trailing
 * partial line stays unread); -1 on a read error (errno set). */
int baton_lines_next(struct baton_lines *lr, char **line, size_t *len, int64_t *line_offset);

/* Offset just past the last line returned. */
static inline int64_t baton_lines_offset(const struct baton_lines *lr)
{
	return lr->offset;
}

#endif
