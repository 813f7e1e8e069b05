/* The floor of a durable append: what `baton save` cannot do without. Opens a log
 * with O_APPEND, takes an exclusive lock, writes one ~600-byte JSON line in one
 * write(2), fdatasyncs it and exits. Usage: append_floor FILE, or with no argument
 * the file $APPEND_FLOOR_FILE (so that timeit can run it as an interleaved baseline). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[600];
	const char *path = argc == 2 ? argv[1] : getenv("APPEND_FLOOR_FILE");
	if (argc > 2 || !path)
		return 2;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX))
		return 1;
	memset(line, 'x', sizeof line);
	memcpy(line, "{\"v\":1,\"type\":\"session_saved\",\"pad\":\"", 38);
	memcpy(line + sizeof line - 3, "\"}\n", 3);
	if (write(fd, line, sizeof line) != (ssize_t)sizeof line || fdatasync(fd))
		return 1;
	return close(fd) ? 1 : 0;
}
