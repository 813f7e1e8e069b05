/* The floor: a minimal C program that reads its stdin and exits. Any command's start
 * can be compared with it in the same run. */
#include <unistd.h>
int main(void)
{
	char buf[4096];
	while (read(0, buf, sizeof buf) > 0)
		;
	return 0;
}
