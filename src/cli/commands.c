/* Commands that are not operations of the table: each has its own main. */
#include <stddef.h>

#include "cli/cli.h"

const struct baton_cli_command baton_cli_commands[] = {
	{ NULL, NULL, NULL },
};
